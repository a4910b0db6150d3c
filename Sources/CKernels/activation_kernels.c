#include "activation_kernels.h"
#include "cpu_features.h"
#include <math.h>

// The scalar form must round exactly as Swift's Kernels.fastTanh: no contraction of a
// multiply and an add into one fused operation.
#pragma clang fp contract(off)

// Kernels.fastExp(2x) and 1 − 2/(e + 1), written as Swift's min/max compare (NaN passes
// through: max(x, lo) is lo >= x ? lo : x, min(m, hi) is hi < m ? hi : m). MULADD(a, b, c)
// is a·b + c: two roundings for Kernels.fastTanh's bits (PLAIN_MULADD), one for the fused
// arithmetic's (fmaf). The reductions c − n·C and r − n·(−C) are written n·(−C) + c and
// n·C + r, which round the same (negation is exact).
#define PLAIN_MULADD(a, b, c) ((a) * (b) + (c))
#define TANH_FUNCTION(NAME, ATTRIBUTE, MULADD)                                                 \
    ATTRIBUTE static void NAME(float *restrict values, int64_t count) {                        \
        for (int64_t i = 0; i < count; i++) {                                                  \
            float x = values[i] + values[i];                                                   \
            float m = -87.3f >= x ? -87.3f : x;                                                \
            float c = 88.3f < m ? 88.3f : m;                                                   \
            float shifted = MULADD(c, 1.4426950408889634f, 12582912.0f);                       \
            float n = shifted - 12582912.0f;                                                   \
            float r = MULADD(n, -0.693359375f, c);                                             \
            r = MULADD(n, 2.1219444005469058e-4f, r);                                          \
            float p = 1.9875691500e-4f;                                                        \
            p = MULADD(p, r, 1.3981999507e-3f);                                                \
            p = MULADD(p, r, 8.3334519073e-3f);                                                \
            p = MULADD(p, r, 4.1665795894e-2f);                                                \
            p = MULADD(p, r, 1.6666665459e-1f);                                                \
            p = MULADD(p, r, 5.0000001201e-1f);                                                \
            p = MULADD(p, r * r, r) + 1.0f;                                                    \
            union { float f; uint32_t u; } bits = {shifted}, scale;                            \
            scale.u = (bits.u - 0x4B400000u + 127u) << 23;                                     \
            float e = p * scale.f;                                                             \
            values[i] = 1.0f - 2.0f / (e + 1.0f);                                              \
        }                                                                                      \
    }

TANH_FUNCTION(tanh_avx2, IP_TARGET_AVX2, PLAIN_MULADD)
TANH_FUNCTION(tanh_baseline, , PLAIN_MULADD)

void ip_tanh_variant(int wide, float *x, int64_t count) {
    (wide && ip_cpu_has_avx2_fma() ? tanh_avx2 : tanh_baseline)(x, count);
}

void ip_tanh(float *x, int64_t count) {
    ip_tanh_variant(1, x, count);
}

// The fused arithmetic's tanh: the same formula, each multiply-add one fmaf.
TANH_FUNCTION(tanh_fused_avx2, IP_TARGET_AVX2_FMA, fmaf)
TANH_FUNCTION(tanh_fused_baseline, , fmaf)

void ip_tanh_fused_variant(int wide, float *x, int64_t count) {
    (wide && ip_cpu_has_avx2_fma() ? tanh_fused_avx2 : tanh_fused_baseline)(x, count);
}

void ip_tanh_fused(float *x, int64_t count) {
    ip_tanh_fused_variant(1, x, count);
}
