#ifndef INFOPLANE_CPU_FEATURES_H
#define INFOPLANE_CPU_FEATURES_H

/// The processor features the kernels choose their paths by: one probe, declared once.
///
/// On x86-64 the wide paths (AVX2 with FMA; AVX with F16C for float16 storage) are
/// compiled with per-function target attributes and chosen at run time when the
/// processor has them (and the caller's `wide` flag allows). Built with `IP_SCALAR_ONLY`
/// defined, or for another processor, no wide path is compiled, no intrinsic is used and
/// every probe answers 0: the scalar paths run, with the same results where a kernel's
/// header says so (the tests compile the kernels this way: `ScalarBuildTests`).
#if defined(__x86_64__) && !defined(IP_SCALAR_ONLY)
#define IP_X86_WIDE 1
#define IP_TARGET_AVX2 __attribute__((target("avx2")))
#define IP_TARGET_AVX2_FMA __attribute__((target("avx2,fma")))
#define IP_TARGET_AVX_F16C __attribute__((target("avx,f16c")))
#else
#define IP_X86_WIDE 0
#define IP_TARGET_AVX2
#define IP_TARGET_AVX2_FMA
#define IP_TARGET_AVX_F16C
#endif

/// 1 when the processor has AVX2 and FMA (probed once; 0 in a scalar build).
int ip_cpu_has_avx2_fma(void);

/// 1 when the processor has AVX and F16C, the float16 conversions (0 in a scalar build).
int ip_cpu_has_f16c(void);

#endif
