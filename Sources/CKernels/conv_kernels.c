#include "conv_kernels.h"
#include "cpu_features.h"
#include <stdlib.h>
#include <string.h>

// The most taps (kh·kw) of the one-input-channel path of the transposed convolution.
#define IP_CONV_ONE_CHANNEL_TAPS 64

int ip_conv_supported(int cin, int cout) {
    return cin >= 1 && cin <= 64 && cout >= 8 && cout <= 64 && cout % 8 == 0;
}

// Runs BODY(COUT) with COUT the constant equal to cout (a multiple of 8 up to 64, as
// ip_conv_supported checks), so that the per-position accumulators live in registers.
#define FOR_EACH_COUT(BODY)                                                                                 \
    switch (cout) {                                                                                         \
    case 8: BODY(8) break;                                                                                  \
    case 16: BODY(16) break;                                                                                \
    case 24: BODY(24) break;                                                                                \
    case 32: BODY(32) break;                                                                                \
    case 40: BODY(40) break;                                                                                \
    case 48: BODY(48) break;                                                                                \
    case 56: BODY(56) break;                                                                                \
    default: BODY(64) break;                                                                                \
    }

// ---- forward: the output channels of one position in registers (COUT a constant) ----

// PX positions of a row at once (independent accumulators: the multiply-adds do not wait
// on each other), then the row's remaining positions one at a time.
#define FORWARD_POSITIONS(COUT, PX)                                                                         \
    {                                                                                                       \
        float acc[PX][COUT];                                                                                \
        for (int p = 0; p < PX; p++)                                                                        \
            for (int co = 0; co < COUT; co++) acc[p][co] = bias ? bias[co] : 0.0f;                          \
        for (int ky = 0; ky < kh; ky++) {                                                                   \
            for (int kx = 0; kx < kw; kx++) {                                                               \
                const float *restrict xp = xpad + ((long)(oy + ky) * pw + ox + kx) * cin;                   \
                const float *restrict wp = kernel + (long)(ky * kw + kx) * cin * COUT;                      \
                for (int ci = 0; ci < cin; ci++) {                                                          \
                    for (int p = 0; p < PX; p++) {                                                          \
                        float v = xp[p * cin + ci];                                                         \
                        for (int co = 0; co < COUT; co++) acc[p][co] += v * wp[ci * COUT + co];             \
                    }                                                                                       \
                }                                                                                           \
            }                                                                                               \
        }                                                                                                   \
        for (int p = 0; p < PX; p++) {                                                                      \
            float *restrict out = y + ((long)oy * ow + ox + p) * COUT;                                      \
            for (int co = 0; co < COUT; co++) out[co] = acc[p][co];                                         \
        }                                                                                                   \
    }

#define FORWARD_BODY(COUT)                                                                                  \
    for (int oy = 0; oy < oh; oy++) {                                                                       \
        int ox = 0;                                                                                         \
        for (; ox + (COUT <= 16 ? 4 : 2) <= ow; ox += (COUT <= 16 ? 4 : 2)) {                              \
            if (COUT <= 16) FORWARD_POSITIONS(COUT, 4) else FORWARD_POSITIONS(COUT, 2)                      \
        }                                                                                                   \
        for (; ox < ow; ox++) FORWARD_POSITIONS(COUT, 1)                                                    \
    }

#define FORWARD_FUNCTION(NAME, ATTRIBUTE)                                                                   \
    ATTRIBUTE static void NAME(const float *restrict xpad, int pw, int cin, const float *restrict kernel,     \
                               const float *restrict bias, int kh, int kw, int cout, int oh, int ow,        \
                               float *restrict y) {                                                         \
        FOR_EACH_COUT(FORWARD_BODY)                                                                 \
    }

FORWARD_FUNCTION(forward_avx2, IP_TARGET_AVX2_FMA)
FORWARD_FUNCTION(forward_baseline, )

void ip_conv_forward(int wide, const float *xpad, int pw, int cin, const float *kernel, const float *bias, int kh, int kw,
                     int cout, int oh, int ow, float *y) {
    (wide && ip_cpu_has_avx2_fma() ? forward_avx2 : forward_baseline)(xpad, pw, cin, kernel, bias, kh, kw, cout, oh, ow, y);
}

// ---- transposed: per position and tap, g[ci] = Σ_co dz[co] · kernelT[tap, co, ci], added into dxpad ----
// (kernelT is the kernel with its last two axes swapped, [kh, kw, cout, cin]: the sum
// runs as broadcast-multiply-adds over the input channels, no horizontal sums.)

// One input channel (a network's first layer, whose input gradient saliency maps and LRP
// need): per position, the kh·kw tap values g[t] = Σ_co dz[co] · kernelT[t, co] as kh·kw
// independent sums (vectorised over the taps, from a [cout, taps] copy of the kernel)
// instead of one serial dot product per tap; each g[t] in the same order of co, and added
// into dxpad in the same order of positions and taps as below: the same bits.
#define TRANSPOSED_ONE_CHANNEL_TAPS(COUT, TAPS)                                                             \
    {                                                                                                       \
        float wct[COUT * IP_CONV_ONE_CHANNEL_TAPS];                                                         \
        for (int t = 0; t < TAPS; t++)                                                                      \
            for (int co = 0; co < COUT; co++) wct[co * TAPS + t] = kernelT[t * COUT + co];                   \
        for (int oy = 0; oy < oh; oy++) {                                                                   \
            for (int ox = 0; ox < ow; ox++) {                                                               \
                const float *restrict d = dz + ((long)oy * ow + ox) * COUT;                                 \
                float g[IP_CONV_ONE_CHANNEL_TAPS];                                                          \
                for (int t = 0; t < TAPS; t++) g[t] = 0;                                                    \
                for (int co = 0; co < COUT; co++) {                                                         \
                    float s = d[co];                                                                        \
                    for (int t = 0; t < TAPS; t++) g[t] += s * wct[co * TAPS + t];                          \
                }                                                                                           \
                for (int ky = 0; ky < kh; ky++)                                                             \
                    for (int kx = 0; kx < kw; kx++) dxpad[(long)(oy + ky) * pw + ox + kx] += g[ky * kw + kx]; \
            }                                                                                               \
        }                                                                                                   \
    }
// 3×3 kernels with the tap count a constant (the sums stay in registers), others general.
#define TRANSPOSED_ONE_CHANNEL(COUT)                                                                        \
    {                                                                                                       \
        const int taps = kh * kw;                                                                           \
        if (taps == 9) TRANSPOSED_ONE_CHANNEL_TAPS(COUT, 9) else TRANSPOSED_ONE_CHANNEL_TAPS(COUT, taps)    \
    }

#define TRANSPOSED_BODY(COUT)                                                                               \
    if (cin == 1 && kh * kw <= IP_CONV_ONE_CHANNEL_TAPS) TRANSPOSED_ONE_CHANNEL(COUT) else                  \
    for (int oy = 0; oy < oh; oy++) {                                                                       \
        for (int ox = 0; ox < ow; ox++) {                                                                   \
            const float *restrict d = dz + ((long)oy * ow + ox) * COUT;                                     \
            for (int ky = 0; ky < kh; ky++) {                                                               \
                for (int kx = 0; kx < kw; kx++) {                                                           \
                    const float *restrict wt = kernelT + (long)(ky * kw + kx) * COUT * cin;                 \
                    float *restrict dxp = dxpad + ((long)(oy + ky) * pw + ox + kx) * cin;                   \
                    if (cin == 1) {                                                                         \
                        float g = 0;                                                                        \
                        for (int co = 0; co < COUT; co++) g += d[co] * wt[co];                              \
                        dxp[0] += g;                                                                        \
                    } else if (cin % 8 == 0) {                                                              \
                        for (int c0 = 0; c0 < cin; c0 += 8) {                                               \
                            float g[2][8] = {{0, 0, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0, 0, 0}};           \
                            for (int co = 0; co < COUT; co += 2) {                                          \
                                for (int h = 0; h < 2; h++) {                                               \
                                    float s = d[co + h];                                                    \
                                    for (int c = 0; c < 8; c++) g[h][c] += s * wt[(co + h) * cin + c0 + c]; \
                                }                                                                           \
                            }                                                                               \
                            for (int c = 0; c < 8; c++) dxp[c0 + c] += g[0][c] + g[1][c];                   \
                        }                                                                                   \
                    } else {                                                                                \
                        for (int ci = 0; ci < cin; ci++) {                                                  \
                            float g = 0;                                                                    \
                            for (int co = 0; co < COUT; co++) g += d[co] * wt[co * cin + ci];               \
                            dxp[ci] += g;                                                                   \
                        }                                                                                   \
                    }                                                                                       \
                }                                                                                           \
            }                                                                                               \
        }                                                                                                   \
    }

#define TRANSPOSED_FUNCTION(NAME, ATTRIBUTE)                                                                \
    ATTRIBUTE static void NAME(const float *restrict dz, int oh, int ow, int cout, const float *restrict kernelT, \
                               int kh, int kw, int cin, int pw, float *restrict dxpad) {                    \
        FOR_EACH_COUT(TRANSPOSED_BODY)                                                              \
    }

TRANSPOSED_FUNCTION(transposed_avx2, IP_TARGET_AVX2_FMA)
TRANSPOSED_FUNCTION(transposed_baseline, )

void ip_conv_transposed(int wide, const float *dz, int oh, int ow, int cout, const float *kernelT, int kh, int kw, int cin,
                        int pw, float *dxpad) {
    (wide && ip_cpu_has_avx2_fma() ? transposed_avx2 : transposed_baseline)(dz, oh, ow, cout, kernelT, kh, kw, cin, pw, dxpad);
}

// ---- kernel gradient of one tap ----

#define GRADIENT_BODY(COUT)                                                                                 \
    for (int b = 0; b < batch; b++) {                                                                       \
        const float *restrict xb = xpad + (long)b * ph * pw * cin;                                          \
        const float *restrict db = dz + (long)b * oh * ow * COUT;                                           \
        for (int ci = 0; ci < cin; ci++) {                                                                  \
            float acc[4][COUT];                                                                             \
            for (int p = 0; p < 4; p++)                                                                     \
                for (int co = 0; co < COUT; co++) acc[p][co] = 0;                                           \
            for (int oy = 0; oy < oh; oy++) {                                                               \
                const float *restrict xr = xb + ((long)(oy + ky) * pw + kx) * cin + ci;                     \
                const float *restrict dr = db + (long)oy * ow * COUT;                                       \
                int ox = 0;                                                                                 \
                for (; ox + 4 <= ow; ox += 4) {                                                             \
                    for (int p = 0; p < 4; p++) {                                                           \
                        float v = xr[(long)(ox + p) * cin];                                                 \
                        for (int co = 0; co < COUT; co++) acc[p][co] += v * dr[(ox + p) * COUT + co];       \
                    }                                                                                       \
                }                                                                                           \
                for (; ox < ow; ox++) {                                                                     \
                    float v = xr[(long)ox * cin];                                                           \
                    for (int co = 0; co < COUT; co++) acc[0][co] += v * dr[ox * COUT + co];                 \
                }                                                                                           \
            }                                                                                               \
            for (int co = 0; co < COUT; co++)                                                               \
                total[ci * COUT + co] += (acc[0][co] + acc[1][co]) + (acc[2][co] + acc[3][co]);             \
        }                                                                                                   \
    }

#define GRADIENT_FUNCTION(NAME, ATTRIBUTE)                                                                  \
    ATTRIBUTE static void NAME(const float *restrict xpad, int batch, int ph, int pw, int cin,              \
                               const float *restrict dz, int oh, int ow, int cout, int ky, int kx,          \
                               double *restrict total) {                                                    \
        FOR_EACH_COUT(GRADIENT_BODY)                                                                \
    }

GRADIENT_FUNCTION(gradient_avx2, IP_TARGET_AVX2_FMA)
GRADIENT_FUNCTION(gradient_baseline, )

void ip_conv_kernel_gradient(int wide, const float *xpad, int batch, int ph, int pw, int cin, const float *dz, int oh, int ow,
                             int cout, int ky, int kx, float *dk) {
    double total[64 * 64];
    memset(total, 0, sizeof(double) * (size_t)cin * cout);
    (wide && ip_cpu_has_avx2_fma() ? gradient_avx2 : gradient_baseline)(xpad, batch, ph, pw, cin, dz, oh, ow, cout, ky, kx, total);
    for (int k = 0; k < cin * cout; k++) dk[k] = (float)total[k];
}
