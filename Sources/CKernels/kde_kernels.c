#include "kde_kernels.h"
#include "cpu_features.h"
#include <stdint.h>
#include <string.h>

// e^x for x <= 0 (Cephes' polynomial, the exponent built in the bits), as Kernels.fastExp.
static inline __attribute__((always_inline)) float kde_exp(float x) {
    float clamped = x < -87.3f ? -87.3f : x;
    float shifted = clamped * 1.4426950408889634f + 12582912.0f;
    float n = shifted - 12582912.0f;
    float r = clamped - n * 0.693359375f;
    r = r - n * -2.1219444005469058e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    int32_t bits;
    memcpy(&bits, &shifted, 4);
    int32_t exponent = (bits - 0x4B400000 + 127) << 23;
    float scale;
    memcpy(&scale, &exponent, 4);
    return p * scale;
}

#pragma clang fp reassociate(on)

// One segment [from, to) of a row; `own` adds to the own-class sums too.
static inline __attribute__((always_inline)) void kde_segment(
    const float *gram, const float *norms, float ni, float a, int from, int to, int own,
    float *column_upper, float *column_lower, float *own_upper, float *own_lower, float *upper, float *lower) {
    float u = 0, l = 0;
    if (column_upper && own) {
        for (int j = from; j < to; j++) {
            float d = ni + norms[j] - 2 * gram[j];
            float e = kde_exp(-(d > 0 ? d : 0) * a);
            float e2 = e * e, e4 = e2 * e2;
            u += e4; l += e;
            column_upper[j] += e4; column_lower[j] += e;
            own_upper[j] += e4; own_lower[j] += e;
        }
    } else if (column_upper) {
        for (int j = from; j < to; j++) {
            float d = ni + norms[j] - 2 * gram[j];
            float e = kde_exp(-(d > 0 ? d : 0) * a);
            float e2 = e * e, e4 = e2 * e2;
            u += e4; l += e;
            column_upper[j] += e4; column_lower[j] += e;
        }
    } else {
        for (int j = from; j < to; j++) {
            float d = ni + norms[j] - 2 * gram[j];
            float e = kde_exp(-(d > 0 ? d : 0) * a);
            float e2 = e * e, e4 = e2 * e2;
            u += e4; l += e;
        }
    }
    *upper = u;
    *lower = l;
}

static inline __attribute__((always_inline)) void kde_row(
    const float *gram, const float *norms, float ni, float a, int count, int own_from, int own_to,
    float *column_upper, float *column_lower, float *own_upper, float *own_lower, float sums[4]) {
    float u0, l0, u1, l1, u2, l2;
    kde_segment(gram, norms, ni, a, 0, own_from, 0, column_upper, column_lower, own_upper, own_lower, &u0, &l0);
    kde_segment(gram, norms, ni, a, own_from, own_to, 1, column_upper, column_lower, own_upper, own_lower, &u1, &l1);
    kde_segment(gram, norms, ni, a, own_to, count, 0, column_upper, column_lower, own_upper, own_lower, &u2, &l2);
    sums[0] += u0 + u1 + u2;
    sums[1] += u1;
    sums[2] += l0 + l1 + l2;
    sums[3] += l1;
}

IP_TARGET_AVX2_FMA
static void kde_row_avx2(const float *gram, const float *norms, float ni, float a, int count, int own_from, int own_to,
                         float *column_upper, float *column_lower, float *own_upper, float *own_lower, float sums[4]) {
    kde_row(gram, norms, ni, a, count, own_from, own_to, column_upper, column_lower, own_upper, own_lower, sums);
}

static void kde_row_baseline(const float *gram, const float *norms, float ni, float a, int count, int own_from, int own_to,
                             float *column_upper, float *column_lower, float *own_upper, float *own_lower, float sums[4]) {
    kde_row(gram, norms, ni, a, count, own_from, own_to, column_upper, column_lower, own_upper, own_lower, sums);
}

typedef void (*kde_row_function)(const float *, const float *, float, float, int, int, int,
                                 float *, float *, float *, float *, float *);

static kde_row_function kde_choose(void) {
    return ip_cpu_has_avx2_fma() ? kde_row_avx2 : kde_row_baseline;
}

int ip_kde_has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

void ip_kde_row_variant(int wide, const float *gram, const float *norms, float ni, float a, int count, int own_from, int own_to,
                        float *column_upper, float *column_lower, float *own_upper, float *own_lower, float sums[4]) {
    (wide && ip_cpu_has_avx2_fma() ? kde_row_avx2 : kde_row_baseline)(gram, norms, ni, a, count, own_from, own_to, column_upper,
                                                                  column_lower, own_upper, own_lower, sums);
}

void ip_kde_row(const float *gram, const float *norms, float ni, float a, int count, int own_from, int own_to,
                float *column_upper, float *column_lower, float *own_upper, float *own_lower, float sums[4]) {
    kde_choose()(gram, norms, ni, a, count, own_from, own_to, column_upper, column_lower, own_upper, own_lower, sums);
}
