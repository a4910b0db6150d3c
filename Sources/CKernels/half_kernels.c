#include "half_kernels.h"
#include <immintrin.h>
#include <string.h>

int ip_half_narrow_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx");
}

__attribute__((target("avx,f16c"))) void ip_half_narrow(const float *x, uint16_t *out, int64_t count) {
    int64_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT);
        _mm_storeu_si128((__m128i *)(out + i), h);
    }
    if (i < count) {
        float rest[8] = {0};
        uint16_t halves[8];
        memcpy(rest, x + i, sizeof(float) * (size_t)(count - i));
        _mm_storeu_si128((__m128i *)halves, _mm256_cvtps_ph(_mm256_loadu_ps(rest), _MM_FROUND_TO_NEAREST_INT));
        memcpy(out + i, halves, sizeof(uint16_t) * (size_t)(count - i));
    }
}
