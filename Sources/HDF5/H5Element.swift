import CHDF5

/// A fixed-size numeric element that HDF5 stores and converts natively.
///
/// Conforming types: `Float`, `Double`, `Float16` (stored as IEEE half precision, the
/// layout h5py and numpy read as `float16`), `Int8`, `UInt8`, `Int16`, `UInt16`,
/// `Int32`, `UInt32`, `Int64`, `UInt64`. Reading converts from whatever the file holds
/// to the requested element type (HDF5's own conversion), so a float16 dataset reads
/// as `Float`.
public protocol H5Element: BitwiseCopyable, Sendable {
    /// The in-memory HDF5 datatype of this Swift type (a new handle).
    static func memoryType() throws(HDF5Error) -> ObjectHandle
}

extension H5Element {
    /// Predefined types are library constants and must not be closed: copy them, so
    /// that every datatype handle owns what it closes.
    static func copied(_ predefined: hid_t) throws(HDF5Error) -> ObjectHandle {
        HDF5Library.ensureInitialised()
        let id = try check(H5Tcopy(predefined), "H5Tcopy", file: "<memory>")
        return .datatype(id)
    }
}

extension Float: H5Element {
    public static func memoryType() throws(HDF5Error) -> ObjectHandle { try copied(ip_H5T_NATIVE_FLOAT()) }
}
extension Double: H5Element {
    public static func memoryType() throws(HDF5Error) -> ObjectHandle { try copied(ip_H5T_NATIVE_DOUBLE()) }
}
extension Int8: H5Element {
    public static func memoryType() throws(HDF5Error) -> ObjectHandle { try copied(ip_H5T_NATIVE_INT8()) }
}
extension UInt8: H5Element {
    public static func memoryType() throws(HDF5Error) -> ObjectHandle { try copied(ip_H5T_NATIVE_UINT8()) }
}
extension Int16: H5Element {
    public static func memoryType() throws(HDF5Error) -> ObjectHandle { try copied(ip_H5T_NATIVE_INT16()) }
}
extension UInt16: H5Element {
    public static func memoryType() throws(HDF5Error) -> ObjectHandle { try copied(ip_H5T_NATIVE_UINT16()) }
}
extension Int32: H5Element {
    public static func memoryType() throws(HDF5Error) -> ObjectHandle { try copied(ip_H5T_NATIVE_INT32()) }
}
extension UInt32: H5Element {
    public static func memoryType() throws(HDF5Error) -> ObjectHandle { try copied(ip_H5T_NATIVE_UINT32()) }
}
extension Int64: H5Element {
    public static func memoryType() throws(HDF5Error) -> ObjectHandle { try copied(ip_H5T_NATIVE_INT64()) }
}
extension UInt64: H5Element {
    public static func memoryType() throws(HDF5Error) -> ObjectHandle { try copied(ip_H5T_NATIVE_UINT64()) }
}

extension Float16: H5Element {
    /// IEEE 754 binary16, little-endian: sign bit 15, exponent bits 10–14 (bias 15),
    /// mantissa bits 0–9. HDF5 has no predefined half type; this is the same
    /// derivation h5py uses, so h5py reads the dataset back as numpy `float16`.
    public static func memoryType() throws(HDF5Error) -> ObjectHandle {
        let handle = try copied(ip_H5T_IEEE_F32LE())
        let id = handle.id
        try check(H5Tset_fields(id, 15, 10, 5, 0, 10), "H5Tset_fields", file: "<memory>")
        try check(H5Tset_size(id, 2), "H5Tset_size", file: "<memory>")
        try check(H5Tset_ebias(id, 15), "H5Tset_ebias", file: "<memory>")
        return handle
    }
}
