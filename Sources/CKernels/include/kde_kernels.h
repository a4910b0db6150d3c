#ifndef INFOPLANE_KDE_KERNELS_H
#define INFOPLANE_KDE_KERNELS_H

/// The Gaussian kernel sums of one row of a Gram block (KDEEstimator.swift): for each
/// column j in [0, count), K_2σ = exp(−a·max(0, ni + norms[j] − 2·gram[j])) and
/// K_σ = K_2σ⁴; their sums over all columns and over the row's own class [own_from,
/// own_to) go to sums[0..3] (upper all, upper own, lower all, lower own, added to what
/// is there). With column sums given (off the diagonal), each kernel is also added to its
/// column's sums, and to the columns' own-class sums inside [own_from, own_to).
///
/// Uses AVX2 and FMA when the processor has them (asked at every call: a load and a
/// test), else SSE2: the two give results that differ in the last bits, each deterministic.
void ip_kde_row(const float *gram, const float *norms, float ni, float a, int count, int own_from, int own_to,
                float *column_upper, float *column_lower, float *own_upper, float *own_lower, float sums[4]);

/// Whether the processor has AVX2 and FMA.
int ip_kde_has_avx2(void);

/// ``ip_kde_row`` on the wide path (`wide` nonzero, when the processor has it) or the
/// SSE2 one: for the tests, which compare them.
void ip_kde_row_variant(int wide, const float *gram, const float *norms, float ni, float a, int count, int own_from, int own_to,
                        float *column_upper, float *column_lower, float *own_upper, float *own_lower, float sums[4]);

#endif
