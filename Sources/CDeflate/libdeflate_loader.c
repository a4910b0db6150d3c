#include "CDeflate.h"
#include <dlfcn.h>
#include <pthread.h>

// libdeflate's ABI (libdeflate.h, stable within soname 0).
struct libdeflate_decompressor;
typedef struct libdeflate_decompressor *(*alloc_function)(void);
typedef int (*zlib_function)(struct libdeflate_decompressor *, const void *, size_t, void *, size_t, size_t *);
typedef void (*free_function)(struct libdeflate_decompressor *);

static alloc_function allocate_decompressor;
static zlib_function zlib_decompress;
static free_function free_decompressor;
static pthread_once_t loaded = PTHREAD_ONCE_INIT;

static void load(void) {
    void *library = dlopen("libdeflate.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!library) return;
    alloc_function allocate = (alloc_function)dlsym(library, "libdeflate_alloc_decompressor");
    zlib_function decompress = (zlib_function)dlsym(library, "libdeflate_zlib_decompress");
    free_function release = (free_function)dlsym(library, "libdeflate_free_decompressor");
    if (allocate && decompress && release) {
        allocate_decompressor = allocate;
        free_decompressor = release;
        zlib_decompress = decompress;
    }
}

int ip_libdeflate_available(void) {
    pthread_once(&loaded, load);
    return zlib_decompress != NULL;
}

int ip_libdeflate_zlib_inflate(const void *in, size_t in_bytes, void *out, size_t out_bytes) {
    if (!ip_libdeflate_available()) return -1;
    // A decompressor is not shared between threads; one per call costs a small malloc.
    struct libdeflate_decompressor *decompressor = allocate_decompressor();
    if (!decompressor) return -2;
    size_t produced = 0;
    int result = zlib_decompress(decompressor, in, in_bytes, out, out_bytes, &produced);
    free_decompressor(decompressor);
    if (result != 0) return result;
    return produced == out_bytes ? 0 : 2;
}
