// Shim over OpenBLAS's CBLAS interface (Debian libopenblas-dev, pthread build).
// `blasint` is `int` (Int32) in this build; thread control is OpenBLAS-specific.
#ifndef INFOPLANE_CBLAS_SHIM_H
#define INFOPLANE_CBLAS_SHIM_H
#include <cblas.h>
#include <malloc.h>

/// Raises glibc's mmap and trim thresholds (bytes) so that large numeric buffers are
/// recycled by malloc rather than mapped and unmapped per allocation (see `BLAS`).
static inline void ip_keep_large_buffers_in_heap(int mmap_threshold, int trim_threshold) {
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
}
#endif
