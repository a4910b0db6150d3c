#ifndef INFOPLANE_BINNING_KERNELS_H
#define INFOPLANE_BINNING_KERNELS_H

#include <stdint.h>

/// The most units a row may have: the quantised bins of a block of rows live in a stack
/// table of 256 × IP_BINNING_MAX_UNITS. Keys of `bits` per unit must also fit 63 bits.
#define IP_BINNING_MAX_UNITS 64

/// The counting pass of BinnedEstimator's one-pass path (BinnedEstimator+Fused.swift):
/// each row of x [n, units] is quantised, unit by unit, to
/// b = trunc(min(max((x − low)·scale, 0), top)) (NaN to 0, all in double), the bins packed
/// into key = Σ b_u << (bits·(units − 1 − u)), and the key counted per class label in the
/// open-addressing table `keys` (key + 1; 0 marks an empty slot; `size` = 2^(64 − shift)
/// slots, Fibonacci hashing, linear probing) with counts[slot · classes + label]. Slots
/// in first-use order go to `used`, class sizes to `per_class`. Returns the number of
/// distinct keys, or −1 (nothing counted) when `units` is not in 1…IP_BINNING_MAX_UNITS
/// or the keys would not fit (bits · units > 63). The quantisation runs 256 rows at a time, vectorised (AVX2 when the
/// processor has it and `wide` is nonzero, else SSE2); bins are the same on either path
/// (no fused multiply-add; the tests compare them).
int64_t ip_binning_count(int wide, const float *x, int64_t n, int units, double low, double scale, double top, int bits,
                         const int32_t *labels, int classes, uint64_t *keys, int32_t *counts, int64_t size, int shift,
                         int32_t *used, int64_t *per_class);

#endif
