#include "neighbour_kernels.h"
#include "cpu_features.h"

#include <stdint.h>

#pragma clang fp contract(off)

// A leaf of 16 (the tree's leaf size): the sums in a local array the compiler keeps in
// registers across the coordinates; other sizes through `out`.
#define LEAF_FUNCTION(NAME, ATTRIBUTE)                                                                   \
    ATTRIBUTE static void NAME(const float *restrict columns, int size, int d, const float *restrict query, \
                               float *restrict out) {                                                    \
        if (size == 16) {                                                                                \
            float sums[16] = {0};                                                                        \
            for (int c = 0; c < d; c++) {                                                                \
                const float *column = columns + (int64_t)c * 16;                                         \
                float q = query[c];                                                                      \
                for (int j = 0; j < 16; j++) {                                                           \
                    float diff = column[j] - q;                                                          \
                    sums[j] += diff * diff;                                                              \
                }                                                                                        \
            }                                                                                            \
            for (int j = 0; j < 16; j++) out[j] = sums[j];                                               \
            return;                                                                                      \
        }                                                                                                \
        for (int j = 0; j < size; j++) out[j] = 0;                                                       \
        for (int c = 0; c < d; c++) {                                                                    \
            const float *column = columns + (int64_t)c * size;                                           \
            float q = query[c];                                                                          \
            for (int j = 0; j < size; j++) {                                                             \
                float diff = column[j] - q;                                                              \
                out[j] += diff * diff;                                                                   \
            }                                                                                            \
        }                                                                                                \
    }

#if IP_X86_WIDE
LEAF_FUNCTION(leaf_avx2, IP_TARGET_AVX2)
#endif
LEAF_FUNCTION(leaf_baseline, )

void ip_leaf_distances(int wide, const float *columns, int size, int d, const float *query, float *out) {
#if IP_X86_WIDE
    if (wide && ip_cpu_has_avx2_fma()) {
        leaf_avx2(columns, size, d, query, out);
        return;
    }
#endif
    leaf_baseline(columns, size, d, query, out);
}
