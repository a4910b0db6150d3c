import CHDF5
import CHDF5Guard

/// Owns one HDF5 identifier and closes it when the last reference goes away.
///
/// Every file, group, dataset, attribute, dataspace, datatype and property list the
/// Swift layer opens is held by one of these, so identifiers never leak
/// (`HDF5Tests` opens and drops 10,000 datasets and checks `H5Fget_obj_count`).
public final class ObjectHandle: Sendable {
    /// The raw identifier; valid while this handle lives.
    package let id: hid_t
    private let close: @Sendable (hid_t) -> herr_t

    init(_ id: hid_t, close: @escaping @Sendable (hid_t) -> herr_t) {
        self.id = id
        self.close = close
    }

    deinit {
        _ = close(id)
    }

    static func file(_ id: hid_t) -> ObjectHandle { ObjectHandle(id) { H5Fclose($0) } }
    /// A file opened for reading: closed with stderr quieted (see `ip_guard_quiet_begin`),
    /// since closing a damaged file is where HDF5 may free what it mangled.
    static func readOnlyFile(_ id: hid_t) -> ObjectHandle {
        ObjectHandle(id) { id in
            ip_guard_quiet_begin()
            defer { ip_guard_quiet_end() }
            return H5Fclose(id)
        }
    }
    static func group(_ id: hid_t) -> ObjectHandle { ObjectHandle(id) { H5Gclose($0) } }
    static func dataset(_ id: hid_t) -> ObjectHandle { ObjectHandle(id) { H5Dclose($0) } }
    static func attribute(_ id: hid_t) -> ObjectHandle { ObjectHandle(id) { H5Aclose($0) } }
    static func dataspace(_ id: hid_t) -> ObjectHandle { ObjectHandle(id) { H5Sclose($0) } }
    static func datatype(_ id: hid_t) -> ObjectHandle { ObjectHandle(id) { H5Tclose($0) } }
    static func propertyList(_ id: hid_t) -> ObjectHandle { ObjectHandle(id) { H5Pclose($0) } }
}
