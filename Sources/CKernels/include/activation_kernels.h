#ifndef INFOPLANE_ACTIVATION_KERNELS_H
#define INFOPLANE_ACTIVATION_KERNELS_H

#include <stdint.h>

/// tanh in place over x[0..<count], the same arithmetic as `Kernels.fastTanh` in Swift
/// (Tensor/Kernels+Vectorized.swift), so the same bits: tanh x = 1 − 2/(e^{2x} + 1) with
/// Cephes' expf (argument clamped to [−87.3, 88.3], ln 2 split in two, degree-6
/// polynomial, 2^n in the exponent bits). Eight lanes with AVX2 when the processor has
/// it and `wide` is nonzero, else four (SSE2); no fused multiply-add on either path, and
/// IEEE operations are lane-wise, so both give the scalar form's bits (tested).
void ip_tanh_variant(int wide, float *x, int64_t count);

/// ip_tanh_variant on the widest path the processor has.
void ip_tanh(float *x, int64_t count);

/// The `fused` arithmetic's tanh (Networks' Arithmetic): the same formula with the
/// argument reduction and the polynomial evaluated by fused multiply-adds (`fmaf`: the
/// same bits on the AVX2 + FMA path and on the scalar one, on any processor); 1.5×
/// faster than ip_tanh, absolute error ≤ 2.5e-7 (tested).
void ip_tanh_fused_variant(int wide, float *x, int64_t count);

/// ip_tanh_fused_variant on the widest path the processor has.
void ip_tanh_fused(float *x, int64_t count);

#endif
