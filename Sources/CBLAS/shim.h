// Shim over OpenBLAS's CBLAS interface (Debian libopenblas-dev, pthread build).
// `blasint` is `int` (Int32) in this build; thread control is OpenBLAS-specific.
#ifndef INFOPLANE_CBLAS_SHIM_H
#define INFOPLANE_CBLAS_SHIM_H
#include <cblas.h>
#endif
