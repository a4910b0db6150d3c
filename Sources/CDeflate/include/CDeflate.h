// libdeflate's zlib decompressor, loaded at run time when the system has it.
//
// Debian ships libdeflate (libdeflate0, which libtiff6 and so gdk-pixbuf and librsvg pull
// in) without its headers unless libdeflate-dev is installed, and a build must not depend
// on that package. So the library is opened with dlopen("libdeflate.so.0") on first use;
// without it the callers fall back to zlib's `uncompress`, which produces the same bytes.
// libdeflate inflates twice as fast as zlib here (706 against 345 MB/s on the chunks of a
// compacted run file, 2 cores, AMD EPYC).
#ifndef INFOPLANE_CDEFLATE_H
#define INFOPLANE_CDEFLATE_H
#include <stddef.h>

/// 1 when libdeflate.so.0 was found with the three functions used here, else 0.
int ip_libdeflate_available(void);

/// Inflates the zlib stream (RFC 1950) `in` into exactly `out_bytes` bytes at `out`,
/// checking its Adler-32. Returns 0 on success; -1 when libdeflate is not available (call
/// zlib instead); 1 for a damaged stream, 2 when it inflates to fewer bytes, 3 to more;
/// -2 when the decompressor could not be allocated.
int ip_libdeflate_zlib_inflate(const void *in, size_t in_bytes, void *out, size_t out_bytes);
#endif
