#ifndef INFOPLANE_DENSE_KERNELS_H
#define INFOPLANE_DENSE_KERNELS_H

#include <stdint.h>

/// The products of a narrow dense layer (`Dense` with the `fused` arithmetic,
/// Networks/Dense+Fused.swift), in place of `sgemm` calls whose packing and dispatch
/// cost more than the multiply-adds at these sizes.
///
/// Every output element is one chain of fused multiply-adds in index order from +0,
/// acc ← fma(a_p, b_p, acc) for p = 0, 1, …, then (ip_dense_forward) acc + bias. Its
/// bits therefore depend on nothing but the operands: the same on the AVX2 + FMA path
/// (eight output columns per vector, several rows at once) and on the baseline path
/// (scalar `fmaf`), on any x86-64 processor, for any batch size or row blocking. The
/// tests compare both paths with a scalar reference bit for bit.
///
/// Limits (ip_dense_supported): the summed and the vectorised dimensions ≤ 64; the
/// batch dimension is unlimited. `wide` = 0 forces the baseline path (tests).

/// Whether a layer of `inputs` → `outputs` units takes these kernels.
int ip_dense_supported(int inputs, int outputs);

/// y[r, j] = bias[j] + Σ_k x[r, k] · w[k, j]  (x [rows, inputs], w [inputs, outputs],
/// y [rows, outputs]; bias may be NULL for + 0).
void ip_dense_forward(int wide, const float *x, int64_t rows, int inputs, const float *w, const float *bias, int outputs,
                      float *y);

/// dx[r, i] = Σ_j dz[r, j] · w[i, j]  (dz [rows, outputs], w [inputs, outputs], dx [rows, inputs]).
void ip_dense_input_gradient(int wide, const float *dz, int64_t rows, int outputs, const float *w, int inputs, float *dx);

/// dw[i, j] = Σ_r x[r, i] · dz[r, j] and db[j] = Σ_r dz[r, j] (plain adds in row order)
/// (x [rows, inputs], dz [rows, outputs], dw [inputs, outputs], db [outputs]).
void ip_dense_parameter_gradient(int wide, const float *x, const float *dz, int64_t rows, int inputs, int outputs, float *dw,
                                 float *db);

#endif
