#include "dense_kernels.h"
#include "cpu_features.h"
#if IP_X86_WIDE
#include <immintrin.h>
#endif
#include <math.h>
#include <string.h>

// Each element's chain of fused multiply-adds is written out explicitly (fmaf or
// _mm256_fmadd_ps); nothing else may be contracted.
#pragma clang fp contract(off)

enum { dense_limit = 64 };

int ip_dense_supported(int inputs, int outputs) {
    return inputs >= 1 && inputs <= dense_limit && outputs >= 1 && outputs <= dense_limit;
}

// ---- baseline: scalar fmaf in the order the header states ----

static void forward_baseline(const float *x, int64_t rows, int k, const float *w, const float *bias, int n, float *y) {
    for (int64_t r = 0; r < rows; r++) {
        for (int j = 0; j < n; j++) {
            float acc = 0.0f;
            for (int q = 0; q < k; q++) acc = fmaf(x[r * k + q], w[q * n + j], acc);
            y[r * n + j] = bias ? acc + bias[j] : acc;
        }
    }
}

static void input_gradient_baseline(const float *dz, int64_t rows, int n, const float *w, int k, float *dx) {
    for (int64_t r = 0; r < rows; r++) {
        for (int i = 0; i < k; i++) {
            float acc = 0.0f;
            for (int j = 0; j < n; j++) acc = fmaf(dz[r * n + j], w[i * n + j], acc);
            dx[r * k + i] = acc;
        }
    }
}

static void parameter_gradient_baseline(const float *x, const float *dz, int64_t rows, int k, int n, float *dw, float *db) {
    for (int i = 0; i < k; i++) {
        for (int j = 0; j < n; j++) {
            float acc = 0.0f;
            for (int64_t r = 0; r < rows; r++) acc = fmaf(x[r * k + i], dz[r * n + j], acc);
            dw[i * n + j] = acc;
        }
    }
    for (int j = 0; j < n; j++) {
        float acc = 0.0f;
        for (int64_t r = 0; r < rows; r++) acc = acc + dz[r * n + j];
        db[j] = acc;
    }
}

#if IP_X86_WIDE
// ---- AVX2 + FMA: eight columns per vector, R rows per block (R·P chains in flight) ----

#define WIDE IP_TARGET_AVX2_FMA

// Calls NAME_P(ARGS) for P = the vectors of eight columns that n columns take (1…8, as
// ip_dense_supported bounds n), so that each P has its own function with its
// accumulators in registers.
#define FOR_EACH_VECTOR_COUNT(NAME, ARGS)                                                                     \
    switch ((n + 7) / 8) {                                                                                    \
    case 1: NAME##_1 ARGS; break;                                                                             \
    case 2: NAME##_2 ARGS; break;                                                                             \
    case 3: NAME##_3 ARGS; break;                                                                             \
    case 4: NAME##_4 ARGS; break;                                                                             \
    case 5: NAME##_5 ARGS; break;                                                                             \
    case 6: NAME##_6 ARGS; break;                                                                             \
    case 7: NAME##_7 ARGS; break;                                                                             \
    default: NAME##_8 ARGS; break;                                                                            \
    }

// Lanes below `count` (1…8) set.
WIDE static inline __m256i lanes_below(int count) {
    static const int32_t pattern[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256((const __m256i *)(pattern + 8 - count));
}

// c[r, 0..<n] for rows r0..<r0+R: P vectors of columns, the chain over q < k of
// a[r, q] · b[q, ·] (b padded to P·8 columns, 32-byte aligned), then + bias (padded)
// when given. Stores the last vector's n − 8(P − 1) lanes only.
#define PRODUCT_BLOCK(P, R)                                                                                   \
    WIDE static void product_##P##_##R(const float *a, int64_t r0, int k, const float *b, const float *bias, int n, \
                                       float *c) {                                                           \
        __m256 acc[R][P];                                                                                     \
        for (int r = 0; r < R; r++)                                                                           \
            for (int p = 0; p < P; p++) acc[r][p] = _mm256_setzero_ps();                                      \
        for (int q = 0; q < k; q++) {                                                                         \
            for (int r = 0; r < R; r++) {                                                                     \
                __m256 v = _mm256_broadcast_ss(a + (r0 + r) * k + q);                                         \
                for (int p = 0; p < P; p++)                                                                   \
                    acc[r][p] = _mm256_fmadd_ps(v, _mm256_load_ps(b + (q * P + p) * 8), acc[r][p]);           \
            }                                                                                                 \
        }                                                                                                     \
        __m256i last = lanes_below(n - 8 * (P - 1));                                                          \
        for (int r = 0; r < R; r++) {                                                                         \
            float *row = c + (r0 + r) * n;                                                                    \
            for (int p = 0; p < P; p++) {                                                                     \
                __m256 v = bias ? _mm256_add_ps(acc[r][p], _mm256_load_ps(bias + p * 8)) : acc[r][p];        \
                if (p < P - 1) _mm256_storeu_ps(row + p * 8, v);                                              \
                else _mm256_maskstore_ps(row + p * 8, last, v);                                               \
            }                                                                                                 \
        }                                                                                                     \
    }

// R rows at a time so that about eight chains are in flight, then one row at a time.
#define PRODUCT_ROWS(P, R)                                                                                    \
    PRODUCT_BLOCK(P, R)                                                                                       \
    PRODUCT_BLOCK(P, 1)                                                                                       \
    WIDE static void product_rows_##P(const float *a, int64_t rows, int k, const float *b, const float *bias, int n, \
                                      float *c) {                                                            \
        int64_t r = 0;                                                                                        \
        for (; r + R <= rows; r += R) product_##P##_##R(a, r, k, b, bias, n, c);                             \
        for (; r < rows; r++) product_##P##_1(a, r, k, b, bias, n, c);                                       \
    }

// Wide rows (five or more vectors): one row at a time.
#define PRODUCT_ROWS_SINGLY(P)                                                                                \
    PRODUCT_BLOCK(P, 1)                                                                                       \
    WIDE static void product_rows_##P(const float *a, int64_t rows, int k, const float *b, const float *bias, int n, \
                                      float *c) {                                                            \
        for (int64_t r = 0; r < rows; r++) product_##P##_1(a, r, k, b, bias, n, c);                          \
    }

PRODUCT_ROWS(1, 8)
PRODUCT_ROWS(2, 4)
PRODUCT_ROWS(3, 2)
PRODUCT_ROWS(4, 2)
PRODUCT_ROWS_SINGLY(5)
PRODUCT_ROWS_SINGLY(6)
PRODUCT_ROWS_SINGLY(7)
PRODUCT_ROWS_SINGLY(8)

// c [rows, n] = a [rows, k] · b (b padded [k, P·8]), + bias when given.
WIDE static void product_rows(const float *a, int64_t rows, int k, const float *b, const float *bias, int n, float *c) {
    FOR_EACH_VECTOR_COUNT(product_rows, (a, rows, k, b, bias, n, c))
}

WIDE static void forward_wide(const float *x, int64_t rows, int k, const float *w, const float *bias, int n, float *y) {
    int padded = (n + 7) / 8 * 8;
    _Alignas(32) float b[dense_limit * dense_limit];
    _Alignas(32) float bp[dense_limit];
    for (int q = 0; q < k; q++) {
        memcpy(b + q * padded, w + q * n, sizeof(float) * n);
        memset(b + q * padded + n, 0, sizeof(float) * (padded - n));
    }
    if (bias) {
        memcpy(bp, bias, sizeof(float) * n);
        memset(bp + n, 0, sizeof(float) * (padded - n));
    }
    product_rows(x, rows, k, b, bias ? bp : NULL, n, y);
}

WIDE static void input_gradient_wide(const float *dz, int64_t rows, int n, const float *w, int k, float *dx) {
    // dx = dz · wᵀ: the same product with wᵀ [n, k] padded to whole vectors of k.
    int padded = (k + 7) / 8 * 8;
    _Alignas(32) float b[dense_limit * dense_limit];
    for (int j = 0; j < n; j++) {
        for (int i = 0; i < k; i++) b[j * padded + i] = w[i * n + j];
        for (int i = k; i < padded; i++) b[j * padded + i] = 0;
    }
    product_rows(dz, rows, n, b, NULL, k, dx);
}

// dw[i0..<i0+R, ·]: the chain over rows of x[r, i] · dz[r, ·] (P vectors of columns);
// with `db`, also the plain sum over rows of dz[r, ·] into it.
#define GRADIENT_BLOCK(P, R)                                                                                  \
    WIDE static void gradient_##P##_##R(const float *x, const float *dz, int64_t rows, int k, int i0, int n,       \
                                        float *dw, float *db) {                                              \
        __m256 acc[R][P], sum[P];                                                                             \
        for (int p = 0; p < P; p++) sum[p] = _mm256_setzero_ps();                                             \
        for (int r = 0; r < R; r++)                                                                           \
            for (int p = 0; p < P; p++) acc[r][p] = _mm256_setzero_ps();                                      \
        __m256i last = lanes_below(n - 8 * (P - 1));                                                          \
        for (int64_t s = 0; s < rows; s++) {                                                                  \
            __m256 g[P];                                                                                      \
            for (int p = 0; p < P; p++)                                                                       \
                g[p] = p < P - 1 ? _mm256_loadu_ps(dz + s * n + p * 8) : _mm256_maskload_ps(dz + s * n + p * 8, last); \
            if (db)                                                                                           \
                for (int p = 0; p < P; p++) sum[p] = _mm256_add_ps(sum[p], g[p]);                             \
            for (int r = 0; r < R; r++) {                                                                     \
                __m256 v = _mm256_broadcast_ss(x + s * k + i0 + r);                                           \
                for (int p = 0; p < P; p++) acc[r][p] = _mm256_fmadd_ps(v, g[p], acc[r][p]);                  \
            }                                                                                                 \
        }                                                                                                     \
        for (int r = 0; r < R; r++) {                                                                         \
            float *row = dw + (i0 + r) * n;                                                                   \
            for (int p = 0; p < P; p++) {                                                                     \
                if (p < P - 1) _mm256_storeu_ps(row + p * 8, acc[r][p]);                                      \
                else _mm256_maskstore_ps(row + p * 8, last, acc[r][p]);                                       \
            }                                                                                                 \
        }                                                                                                     \
        if (db)                                                                                               \
            for (int p = 0; p < P; p++) {                                                                     \
                if (p < P - 1) _mm256_storeu_ps(db + p * 8, sum[p]);                                          \
                else _mm256_maskstore_ps(db + p * 8, last, sum[p]);                                           \
            }                                                                                                 \
    }

// Blocks of every height up to R for P vectors of columns: the rows of dw (inputs) in
// blocks of R, then one block of what remains, so that every chain of a layer with few
// inputs is in flight at once (each chain runs the whole batch; one at a time they
// would wait on the multiply-add latency).
#define GRADIENT_BLOCKS_8(P) GRADIENT_BLOCK(P, 1) GRADIENT_BLOCK(P, 2) GRADIENT_BLOCK(P, 3) GRADIENT_BLOCK(P, 4) \
    GRADIENT_BLOCK(P, 5) GRADIENT_BLOCK(P, 6) GRADIENT_BLOCK(P, 7) GRADIENT_BLOCK(P, 8)
#define GRADIENT_BLOCKS_4(P) GRADIENT_BLOCK(P, 1) GRADIENT_BLOCK(P, 2) GRADIENT_BLOCK(P, 3) GRADIENT_BLOCK(P, 4)
#define GRADIENT_BLOCKS_2(P) GRADIENT_BLOCK(P, 1) GRADIENT_BLOCK(P, 2)
#define GRADIENT_BLOCKS_1(P) GRADIENT_BLOCK(P, 1)

#define GRADIENT_REST_CASE(P, R) case R: gradient_##P##_##R(x, dz, rows, k, i, n, dw, i == 0 ? db : NULL); break;

#define GRADIENT_ROWS(P, R, CASES)                                                                            \
    WIDE static void gradient_rows_##P(const float *x, const float *dz, int64_t rows, int k, int n, float *dw,     \
                                       float *db) {                                                          \
        int i = 0;                                                                                            \
        for (; i + R <= k; i += R) gradient_##P##_##R(x, dz, rows, k, i, n, dw, i == 0 ? db : NULL);         \
        switch (k - i) { CASES default: break; }                                                             \
    }

GRADIENT_BLOCKS_8(1)
GRADIENT_ROWS(1, 8, GRADIENT_REST_CASE(1, 1) GRADIENT_REST_CASE(1, 2) GRADIENT_REST_CASE(1, 3) GRADIENT_REST_CASE(1, 4)
                        GRADIENT_REST_CASE(1, 5) GRADIENT_REST_CASE(1, 6) GRADIENT_REST_CASE(1, 7))
GRADIENT_BLOCKS_4(2)
GRADIENT_ROWS(2, 4, GRADIENT_REST_CASE(2, 1) GRADIENT_REST_CASE(2, 2) GRADIENT_REST_CASE(2, 3))
GRADIENT_BLOCKS_2(3)
GRADIENT_ROWS(3, 2, GRADIENT_REST_CASE(3, 1))
GRADIENT_BLOCKS_2(4)
GRADIENT_ROWS(4, 2, GRADIENT_REST_CASE(4, 1))
GRADIENT_BLOCKS_1(5)
GRADIENT_ROWS(5, 1, )
GRADIENT_BLOCKS_1(6)
GRADIENT_ROWS(6, 1, )
GRADIENT_BLOCKS_1(7)
GRADIENT_ROWS(7, 1, )
GRADIENT_BLOCKS_1(8)
GRADIENT_ROWS(8, 1, )

WIDE static void parameter_gradient_wide(const float *x, const float *dz, int64_t rows, int k, int n, float *dw, float *db) {
    // db rides on the first block of rows of dw (the same loads of dz).
    FOR_EACH_VECTOR_COUNT(gradient_rows, (x, dz, rows, k, n, dw, db))
}

#else
// A scalar build: the baseline paths stand in for the wide ones (never chosen: the probe says 0).
#define forward_wide forward_baseline
#define input_gradient_wide input_gradient_baseline
#define parameter_gradient_wide parameter_gradient_baseline
#endif

// ---- entry points ----

static int dense_wide(int wide) {
    return wide && ip_cpu_has_avx2_fma();
}

void ip_dense_forward(int wide, const float *x, int64_t rows, int inputs, const float *w, const float *bias, int outputs,
                      float *y) {
    if (rows <= 0) return;
    if (dense_wide(wide)) forward_wide(x, rows, inputs, w, bias, outputs, y);
    else forward_baseline(x, rows, inputs, w, bias, outputs, y);
}

void ip_dense_input_gradient(int wide, const float *dz, int64_t rows, int outputs, const float *w, int inputs, float *dx) {
    if (rows <= 0) return;
    if (dense_wide(wide)) input_gradient_wide(dz, rows, outputs, w, inputs, dx);
    else input_gradient_baseline(dz, rows, outputs, w, inputs, dx);
}

void ip_dense_parameter_gradient(int wide, const float *x, const float *dz, int64_t rows, int inputs, int outputs, float *dw,
                                 float *db) {
    if (dense_wide(wide)) parameter_gradient_wide(x, dz, rows, inputs, outputs, dw, db);
    else parameter_gradient_baseline(x, dz, rows, inputs, outputs, dw, db);
}
