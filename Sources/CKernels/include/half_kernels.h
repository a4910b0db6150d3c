#ifndef INFOPLANE_HALF_KERNELS_H
#define INFOPLANE_HALF_KERNELS_H

#include <stdint.h>

/// Whether the processor converts float to half in hardware (F16C and AVX).
int ip_half_narrow_available(void);

/// out[i] = the IEEE half nearest x[i] (ties to even; NaNs quieted, sign and the top
/// payload bits kept: what Swift's `Float16(_:)` gives), eight at a time with F16C's
/// `vcvtps2ph`. Used only when ip_half_narrow_available() (Tensor/HalfPrecision.swift has
/// the portable loop for other processors; the tests compare both with `Float16(_:)`); a
/// scalar build (cpu_features.h) converts bit by bit instead.
void ip_half_narrow(const float *x, uint16_t *out, int64_t count);

#endif
