import CHDF5
#if canImport(Glibc)
import Glibc
#endif

/// An open HDF5 file; as an ``H5Container`` it is the root group `/`.
///
/// The file closes when the last handle to it (the file itself or any group or
/// dataset opened from it) goes away.
public struct H5File: H5Container {
    public enum Mode: Sendable {
        case readOnly
        case readWrite
        /// Read-only as a single-writer/multiple-reader (SWMR) reader: works on a file
        /// that a writer has open, or that a killed SWMR writer left behind.
        case swmrRead
        /// Read-write after clearing the "open for SWMR writing" status flags that a
        /// killed writer leaves in the superblock (what `h5clear -s` does).
        case readWriteClearingStatus
    }

    public let handle: ObjectHandle
    public let filePath: String
    public var path: String { "/" }

    private init(handle: ObjectHandle, filePath: String) {
        self.handle = handle
        self.filePath = filePath
    }

    /// Creates a new file.
    ///
    /// - Parameters:
    ///   - overwrite: replace an existing file; when `false` an existing file is an
    ///     ``HDF5Error/Kind/fileExists`` error and is left untouched.
    ///   - latestFormat: write the HDF5 1.10 file format (required for single-writer /
    ///     multiple-reader access and faster extendible datasets; readable by HDF5
    ///     1.10 and later, i.e. h5py ≥ 2.7, MATLAB ≥ R2016b). `false` keeps the
    ///     oldest format for the widest compatibility.
    public static func create(_ path: String, overwrite: Bool = false, latestFormat: Bool = false) throws(HDF5Error) -> H5File {
        HDF5Library.ensureInitialised()
        if !overwrite && access(path, F_OK) == 0 {
            throw HDF5Error(.fileExists, call: "H5Fcreate", file: path, detail: "file exists (not overwritten)")
        }
        let fapl = ObjectHandle.propertyList(try check(H5Pcreate(ip_H5P_FILE_ACCESS()), "H5Pcreate", file: path))
        if latestFormat {
            try check(H5Pset_libver_bounds(fapl.id, H5F_LIBVER_V110, H5F_LIBVER_V110), "H5Pset_libver_bounds", file: path)
        }
        let flags = overwrite ? ip_H5F_ACC_TRUNC() : ip_H5F_ACC_EXCL()
        let id = try check(H5Fcreate(path, flags, ip_H5P_DEFAULT(), fapl.id), "H5Fcreate", file: path)
        return H5File(handle: .file(id), filePath: path)
    }

    /// Opens an existing file.
    ///
    /// A missing file is ``HDF5Error/Kind/fileNotFound``, a file without the HDF5
    /// signature ``HDF5Error/Kind/notHDF5``, and a damaged one (e.g. truncated) a
    /// ``HDF5Error/Kind/callFailed`` naming the path and HDF5's reason.
    public static func open(_ path: String, mode: Mode = .readOnly) throws(HDF5Error) -> H5File {
        HDF5Library.ensureInitialised()
        let call = "H5Fopen"
        guard access(path, F_OK) == 0 else {
            throw HDF5Error(.fileNotFound, call: call, file: path, detail: "no such file")
        }
        guard access(path, mode == .readOnly ? R_OK : (R_OK | W_OK)) == 0 else {
            throw HDF5Error(.callFailed, call: call, file: path, detail: "permission denied")
        }
        let isHDF5 = H5Fis_hdf5(path)
        if isHDF5 < 0 {
            _ = HDF5Library.drainErrorStack()
            throw HDF5Error(.callFailed, call: call, file: path, detail: "cannot read the file")
        }
        if isHDF5 == 0 {
            _ = HDF5Library.drainErrorStack()
            throw HDF5Error(.notHDF5, call: call, file: path, detail: "not an HDF5 file (no HDF5 signature)")
        }
        _ = HDF5Library.drainErrorStack()
        let fapl = ObjectHandle.propertyList(try check(H5Pcreate(ip_H5P_FILE_ACCESS()), "H5Pcreate", file: path))
        let flags: UInt32
        switch mode {
        case .readOnly: flags = ip_H5F_ACC_RDONLY()
        case .readWrite: flags = ip_H5F_ACC_RDWR()
        case .swmrRead: flags = ip_H5F_ACC_RDONLY() | ip_H5F_ACC_SWMR_READ()
        case .readWriteClearingStatus:
            flags = ip_H5F_ACC_RDWR()
            try check(ip_set_clear_status_flags(fapl.id), "H5Pset(clear_status_flags)", file: path)
        }
        let id = try check(H5Fopen(path, flags, fapl.id), "H5Fopen", file: path)
        return H5File(handle: .file(id), filePath: path)
    }

    /// Switches a file created with `latestFormat` (or opened read-write on such a file)
    /// to single-writer/multiple-reader mode. From then on objects cannot be created or
    /// removed and attributes cannot be written; datasets can be appended to and
    /// overwritten, and every flush leaves the file readable by SWMR readers, also if
    /// the process is killed.
    public func startSWMRWrite() throws(HDF5Error) {
        try check(H5Fstart_swmr_write(handle.id), "H5Fstart_swmr_write", file: filePath)
    }

    /// Writes every buffered change of this file to disk (`H5Fflush`, global scope).
    public func flush() throws(HDF5Error) {
        HDF5Library.ensureInitialised()
        try check(H5Fflush(handle.id, H5F_SCOPE_GLOBAL), "H5Fflush", file: filePath)
    }

    /// The file's size on disk in bytes, as HDF5 sees it.
    public func size() throws(HDF5Error) -> Int {
        var size: hsize_t = 0
        try check(H5Fget_filesize(handle.id, &size), "H5Fget_filesize", file: filePath)
        return Int(size)
    }

    /// Identifiers open in this file (datasets, groups, attributes, types and the file).
    public var openObjectCount: Int {
        Int(H5Fget_obj_count(handle.id, ip_H5F_OBJ_ALL()))
    }
}
