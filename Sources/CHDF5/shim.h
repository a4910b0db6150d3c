// Shim over HDF5's C API (Debian libhdf5-dev, serial build, 1.10+).
//
// HDF5 exposes its type, property-list and flag constants as macros that expand to
// `H5open(), H5T_NATIVE_FLOAT_g` and the like: Swift cannot import them, and the `*_g`
// globals are both a Swift 6 concurrency error and -1 before `H5open()`. Every constant
// the Swift layer needs is therefore a `static inline` function here; calling one runs
// `H5open()` first, exactly as the macro would.
#ifndef INFOPLANE_CHDF5_SHIM_H
#define INFOPLANE_CHDF5_SHIM_H

#define H5_USE_110_API 1
#include <hdf5.h>
#include <hdf5_hl.h>

// Default property list and error stack (`H5P_DEFAULT` imports as Int32, not hid_t).
static inline hid_t ip_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t ip_H5E_DEFAULT(void) { return H5E_DEFAULT; }
static inline hid_t ip_H5S_ALL(void) { return H5S_ALL; }

// Property list classes.
static inline hid_t ip_H5P_FILE_CREATE(void) { return H5P_FILE_CREATE; }
static inline hid_t ip_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t ip_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t ip_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }
static inline hid_t ip_H5P_GROUP_CREATE(void) { return H5P_GROUP_CREATE; }

// File access flags.
static inline unsigned ip_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned ip_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline unsigned ip_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned ip_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }
static inline unsigned ip_H5F_ACC_SWMR_WRITE(void) { return H5F_ACC_SWMR_WRITE; }
static inline unsigned ip_H5F_ACC_SWMR_READ(void) { return H5F_ACC_SWMR_READ; }
static inline unsigned ip_H5F_OBJ_ALL(void) { return H5F_OBJ_ALL; }

// Dataspace constants.
static inline hsize_t ip_H5S_UNLIMITED(void) { return H5S_UNLIMITED; }
static inline haddr_t ip_HADDR_UNDEF(void) { return HADDR_UNDEF; }
static inline size_t ip_H5T_VARIABLE(void) { return H5T_VARIABLE; }

// Predefined datatypes (native memory types and little-endian file types).
static inline hid_t ip_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t ip_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t ip_H5T_NATIVE_INT8(void) { return H5T_NATIVE_INT8; }
static inline hid_t ip_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t ip_H5T_NATIVE_INT16(void) { return H5T_NATIVE_INT16; }
static inline hid_t ip_H5T_NATIVE_UINT16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t ip_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t ip_H5T_NATIVE_UINT32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t ip_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t ip_H5T_NATIVE_UINT64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t ip_H5T_IEEE_F32LE(void) { return H5T_IEEE_F32LE; }
static inline hid_t ip_H5T_C_S1(void) { return H5T_C_S1; }

// Object types, for `H5Oget_info`.
static inline int ip_H5O_TYPE_GROUP(void) { return H5O_TYPE_GROUP; }
static inline int ip_H5O_TYPE_DATASET(void) { return H5O_TYPE_DATASET; }

/// Silences HDF5's automatic printing of its error stack to stderr on the calling
/// thread (the thread-safe build keeps one error stack and one setting per thread).
/// The Swift layer reads the stack itself and throws.
static inline void ip_silence_errors(void) {
    static _Thread_local int silenced = 0;
    if (!silenced) {
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        silenced = 1;
    }
}

/// The object type of an open object (`H5O_type_t` as int), or -1.
static inline int ip_object_type(hid_t loc, const char *name) {
    H5O_info_t info;
    if (H5Oget_info_by_name(loc, name, &info, H5P_DEFAULT) < 0) return -1;
    return (int)info.type;
}

/// Whether the link `name` below `loc` is a hard link (1), another kind of link (0: a
/// soft, external or user-defined one, which could lead outside the file) or missing (-1).
static inline int ip_link_is_hard(hid_t loc, const char *name) {
    H5L_info_t info;
    if (H5Lget_info(loc, name, &info, H5P_DEFAULT) < 0) return -1;
    return info.type == H5L_TYPE_HARD ? 1 : 0;
}

/// Whether an open dataset keeps its values in other files: external raw-data storage
/// (`H5Pset_external`) or a virtual dataset's sources. 1 yes, 0 no, -1 unknown.
static inline int ip_dataset_reads_elsewhere(hid_t dataset) {
    hid_t dcpl = H5Dget_create_plist(dataset);
    if (dcpl < 0) return -1;
    int elsewhere = H5Pget_external_count(dcpl) > 0 || H5Pget_layout(dcpl) == H5D_VIRTUAL;
    H5Pclose(dcpl);
    return elsewhere;
}

#endif
