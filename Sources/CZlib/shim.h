// Shim over zlib (Debian zlib1g-dev): inflate for MATLAB miCOMPRESSED elements and .gz files,
// deflate for compacted run files' chunks.
#ifndef INFOPLANE_CZLIB_SHIM_H
#define INFOPLANE_CZLIB_SHIM_H
#include <zlib.h>
/// `inflateInit2` is a macro over `inflateInit2_`; Swift cannot call it.
static inline int ip_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}
/// `deflateInit` is a macro over `deflateInit_`; Swift cannot call it.
static inline int ip_deflateInit(z_streamp strm, int level) {
    return deflateInit(strm, level);
}
#endif
