#include "optimizer_kernels.h"
#include "cpu_features.h"
#include <math.h>
#if IP_X86_WIDE
#include <immintrin.h>
#endif

#pragma clang fp contract(off)

static inline float adam_element(float *theta, float g, float *m, float *v, float beta1, float beta2, float epsilon, float rate,
                                 float decay) {
    if (decay != 0) g = g + decay * *theta;
    *m = beta1 * *m + (1.0f - beta1) * g;
    *v = beta2 * *v + (1.0f - beta2) * g * g;
#if IP_X86_WIDE
    float root = _mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(*v)));
#else
    float root = sqrtf(*v);  // IEEE 754's correctly rounded square root, as sqrtss
#endif
    return *theta - rate * *m / (root + epsilon);
}

#if IP_X86_WIDE
IP_TARGET_AVX2 static void adam_avx2(float *theta, const float *gradient, float *m, float *v, int64_t count,
                                                      float beta1, float beta2, float epsilon, float rate, float decay) {
    __m256 b1 = _mm256_set1_ps(beta1), b2 = _mm256_set1_ps(beta2), one_b1 = _mm256_set1_ps(1.0f - beta1);
    __m256 one_b2 = _mm256_set1_ps(1.0f - beta2), eps = _mm256_set1_ps(epsilon), eta = _mm256_set1_ps(rate);
    __m256 d = _mm256_set1_ps(decay);
    int64_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 t = _mm256_loadu_ps(theta + i), g = _mm256_loadu_ps(gradient + i);
        if (decay != 0) g = _mm256_add_ps(g, _mm256_mul_ps(d, t));
        __m256 mi = _mm256_add_ps(_mm256_mul_ps(b1, _mm256_loadu_ps(m + i)), _mm256_mul_ps(one_b1, g));
        __m256 vi = _mm256_add_ps(_mm256_mul_ps(b2, _mm256_loadu_ps(v + i)), _mm256_mul_ps(_mm256_mul_ps(one_b2, g), g));
        __m256 step = _mm256_div_ps(_mm256_mul_ps(eta, mi), _mm256_add_ps(_mm256_sqrt_ps(vi), eps));
        _mm256_storeu_ps(m + i, mi);
        _mm256_storeu_ps(v + i, vi);
        _mm256_storeu_ps(theta + i, _mm256_sub_ps(t, step));
    }
    for (; i < count; i++) theta[i] = adam_element(theta + i, gradient[i], m + i, v + i, beta1, beta2, epsilon, rate, decay);
}
#endif

void ip_adam_update(int wide, float *theta, const float *gradient, float *m, float *v, int64_t count, float beta1,
                    float beta2, float epsilon, float rate, float decay) {
#if IP_X86_WIDE
    if (wide && ip_cpu_has_avx2_fma()) {
        adam_avx2(theta, gradient, m, v, count, beta1, beta2, epsilon, rate, decay);
        return;
    }
#else
    (void)wide;
#endif
    for (int64_t i = 0; i < count; i++)
        theta[i] = adam_element(theta + i, gradient[i], m + i, v + i, beta1, beta2, epsilon, rate, decay);
}
