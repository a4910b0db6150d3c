// Shim over OpenBLAS's CBLAS interface (Debian libopenblas-dev, pthread build).
// `blasint` is `int` (Int32) in this build; thread control is OpenBLAS-specific.
#ifndef INFOPLANE_CBLAS_SHIM_H
#define INFOPLANE_CBLAS_SHIM_H
#include <cblas.h>
#include <malloc.h>
#include <stddef.h>

/// Raises glibc's mmap and trim thresholds (bytes) so that large numeric buffers are
/// recycled by malloc rather than mapped and unmapped per allocation (see `BLAS`).
static inline void ip_keep_large_buffers_in_heap(int mmap_threshold, int trim_threshold) {
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
}
/// OpenBLAS's own (exported, undeclared in cblas.h): stops and joins its worker
/// threads, which are started when the library loads and then spin in `sched_yield`
/// for about 0.1 s (measured here: 0.09 s of a second core taken from every process).
/// A later product with more than one thread starts them again.
int blas_thread_shutdown_(void);
/// LAPACK's symmetric eigensolver (divide and conquer), exported by Debian's OpenBLAS, which
/// bundles the reference LAPACK built with gfortran: matrices column-major, every argument by
/// reference, and the two trailing arguments gfortran's hidden lengths of `jobz` and `uplo`.
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_length, size_t uplo_length);
#endif
