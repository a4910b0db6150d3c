#include "binning_kernels.h"
#include "cpu_features.h"

#pragma clang fp contract(off)

// bins[i] of `count` values, in double as the general path computes them.
#define QUANTISE_FUNCTION(NAME, ATTRIBUTE)                                                                  \
    ATTRIBUTE static void NAME(const float *restrict x, int64_t count, double low, double scale, double top, \
                               int32_t *restrict bins) {                                                    \
        for (int64_t i = 0; i < count; i++) {                                                               \
            double q = ((double)x[i] - low) * scale;                                                        \
            double v = q >= 0 ? q : 0;                                                                      \
            v = v < top ? v : top;                                                                          \
            bins[i] = (int32_t)v;                                                                           \
        }                                                                                                   \
    }

QUANTISE_FUNCTION(quantise_avx2, IP_TARGET_AVX2)
QUANTISE_FUNCTION(quantise_baseline, )

int64_t ip_binning_count(int wide, const float *x, int64_t n, int units, double low, double scale, double top, int bits,
                         const int32_t *labels, int classes, uint64_t *keys, int32_t *counts, int64_t size, int shift,
                         int32_t *used, int64_t *per_class) {
    enum { block = 256 };
    if (units < 1 || units > IP_BINNING_MAX_UNITS || bits < 1 || (int64_t)bits * units > 63) return -1;
    int32_t bins[block * IP_BINNING_MAX_UNITS];
    int64_t distinct = 0, mask = size - 1;
    void (*quantise)(const float *, int64_t, double, double, double, int32_t *) =
        wide && ip_cpu_has_avx2_fma() ? quantise_avx2 : quantise_baseline;
    for (int64_t start = 0; start < n; start += block) {
        int64_t rows = n - start < block ? n - start : block;
        quantise(x + start * units, rows * units, low, scale, top, bins);
        for (int64_t r = 0; r < rows; r++) {
            const int32_t *b = bins + r * units;
            uint64_t key = 0;
            for (int u = 0; u < units; u++) key = (key << bits) | (uint64_t)b[u];
            int label = labels[start + r];
            per_class[label] += 1;
            uint64_t stored = key + 1;
            int64_t slot = (int64_t)((key * 0x9E3779B97F4A7C15ull) >> shift);
            while (keys[slot] != 0 && keys[slot] != stored) slot = (slot + 1) & mask;
            if (keys[slot] == 0) {
                keys[slot] = stored;
                used[distinct++] = (int32_t)slot;
            }
            counts[slot * classes + label] += 1;
        }
    }
    return distinct;
}
