#include "half_kernels.h"
#include "cpu_features.h"
#include <string.h>
#if IP_X86_WIDE
#include <immintrin.h>
#endif

int ip_half_narrow_available(void) { return ip_cpu_has_f16c(); }

#if IP_X86_WIDE
IP_TARGET_AVX_F16C void ip_half_narrow(const float *x, uint16_t *out, int64_t count) {
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
#else
// A scalar build: the same conversion bit by bit (round to nearest, ties to even; NaNs
// quieted with their top payload bits), for the header's contract.
static uint16_t half_of(float value) {
    uint32_t x;
    memcpy(&x, &value, sizeof x);
    uint32_t sign = (x >> 16) & 0x8000u, exponent = (x >> 23) & 0xffu, mantissa = x & 0x7fffffu;
    if (exponent == 0xffu) return (uint16_t)(sign | 0x7c00u | (mantissa ? 0x200u | (mantissa >> 13) : 0));
    int32_t e = (int32_t)exponent - 127 + 15;
    if (e >= 31) return (uint16_t)(sign | 0x7c00u);
    if (e <= 0) {
        if (e < -10) return (uint16_t)sign;
        mantissa |= 0x800000u;
        uint32_t shift = (uint32_t)(14 - e), half = mantissa >> shift, rest = mantissa & ((1u << shift) - 1), middle = 1u << (shift - 1);
        if (rest > middle || (rest == middle && (half & 1u))) half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = ((uint32_t)e << 10) | (mantissa >> 13), rest = mantissa & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) half++;  // a carry rounds up to the next exponent, or to infinity
    return (uint16_t)(sign | half);
}

void ip_half_narrow(const float *x, uint16_t *out, int64_t count) {
    for (int64_t i = 0; i < count; i++) out[i] = half_of(x[i]);
}
#endif
