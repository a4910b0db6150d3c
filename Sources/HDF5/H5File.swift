import CHDF5
import CHDF5Guard
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
    }

    public let handle: ObjectHandle
    public let filePath: String
    public var path: String { "/" }

    init(handle: ObjectHandle, filePath: String) {
        self.handle = handle
        self.filePath = filePath
    }

    /// Creates a new file.
    ///
    /// - Parameters:
    ///   - overwrite: replace an existing file; when `false` an existing file is an
    ///     ``HDF5Error/Kind/fileExists`` error and is left untouched.
    ///   - latestFormat: write the HDF5 1.10 file format (faster extendible datasets;
    ///     readable by HDF5 1.10 and later, i.e. h5py ≥ 2.7, MATLAB ≥ R2016b; its
    ///     superblock records "open for writing", so a killed writer leaves a file that
    ///     plain readers refuse). `false` keeps the oldest format for the widest
    ///     compatibility.
    ///   - directRawWrites: no raw-data sieve buffer and no file lock: every dataset write
    ///     reaches the file (the OS) when `H5Dwrite` returns, in call order, and other
    ///     processes may open the file for reading meanwhile (safe when the writer no
    ///     longer changes metadata, as the run recorder).
    ///   - userBlock: bytes reserved at the start of the file for another format's header
    ///     (a power of two ≥ 512, or 0): MATLAB v7.3 files put their 128-byte header there.
    public static func create(_ path: String, overwrite: Bool = false, latestFormat: Bool = false,
                              directRawWrites: Bool = false, userBlock: Int = 0) throws(HDF5Error) -> H5File {
        HDF5Library.ensureInitialised()
        if !overwrite && access(path, F_OK) == 0 {
            throw HDF5Error(.fileExists, call: "H5Fcreate", file: path, detail: "file exists (not overwritten)")
        }
        let fapl = ObjectHandle.propertyList(try check(H5Pcreate(ip_H5P_FILE_ACCESS()), "H5Pcreate", file: path))
        if latestFormat {
            try check(H5Pset_libver_bounds(fapl.id, H5F_LIBVER_V110, H5F_LIBVER_V110), "H5Pset_libver_bounds", file: path)
        }
        if directRawWrites {
            try check(H5Pset_sieve_buf_size(fapl.id, 0), "H5Pset_sieve_buf_size", file: path)
            try check(H5Pset_file_locking(fapl.id, false, true), "H5Pset_file_locking", file: path)
        }
        let flags = overwrite ? ip_H5F_ACC_TRUNC() : ip_H5F_ACC_EXCL()
        let fcpl = ObjectHandle.propertyList(try check(H5Pcreate(ip_H5P_FILE_CREATE()), "H5Pcreate", file: path))
        if userBlock > 0 {
            try check(H5Pset_userblock(fcpl.id, hsize_t(userBlock)), "H5Pset_userblock", file: path)
        }
        let id = try check(H5Fcreate(path, flags, fcpl.id, fapl.id), "H5Fcreate", file: path)
        closeOnExec(id)
        return H5File(handle: .file(id), filePath: path)
    }

    /// Opens an existing file.
    ///
    /// A missing file is ``HDF5Error/Kind/fileNotFound``, a file without the HDF5
    /// signature ``HDF5Error/Kind/notHDF5``, and a damaged one (e.g. truncated) a
    /// ``HDF5Error/Kind/callFailed`` naming the path and HDF5's reason.
    public static func open(_ path: String, mode: Mode = .readOnly, directRawWrites: Bool = false) throws(HDF5Error) -> H5File {
        HDF5Library.ensureInitialised()
        let call = "H5Fopen"
        guard access(path, F_OK) == 0 else {
            throw HDF5Error(.fileNotFound, call: call, file: path, detail: "no such file")
        }
        // Only regular files: a FIFO would block the open forever, a folder is no file.
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
            throw HDF5Error(.notHDF5, call: call, file: path,
                            detail: info.st_mode & S_IFMT == S_IFDIR ? "is a folder, not a file" : "is not a regular file")
        }
        guard access(path, mode == .readOnly ? R_OK : (R_OK | W_OK)) == 0 else {
            throw HDF5Error(.callFailed, call: call, file: path, detail: "permission denied")
        }
        ip_guard_set_file(path)
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
        if directRawWrites {
            try check(H5Pset_sieve_buf_size(fapl.id, 0), "H5Pset_sieve_buf_size", file: path)
            try check(H5Pset_file_locking(fapl.id, false, true), "H5Pset_file_locking", file: path)
        }
        let flags = mode == .readOnly ? ip_H5F_ACC_RDONLY() : ip_H5F_ACC_RDWR()
        let id = try check(H5Fopen(path, flags, fapl.id), "H5Fopen", file: path)
        closeOnExec(id)
        return H5File(handle: mode == .readOnly ? .readOnlyFile(id) : .file(id), filePath: path)
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

/// Marks an open file's descriptor close-on-exec. HDF5 opens files without `O_CLOEXEC`, so
/// a child process started meanwhile (by another thread: a test, a plot converter) would
/// inherit the descriptor and with it HDF5's `flock`, and hold it for its whole life: the
/// next open of that file in this process then fails with "unable to lock file".
private func closeOnExec(_ file: hid_t) {
    guard let descriptor = fileDescriptor(file) else { return }
    let flags = fcntl(descriptor, F_GETFD)
    if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
}

/// The operating system's descriptor of an open file (the sec2 driver's handle), or nil
/// when the driver gives none.
func fileDescriptor(_ file: hid_t) -> Int32? {
    var handle: UnsafeMutableRawPointer?
    guard H5Fget_vfd_handle(file, ip_H5P_DEFAULT(), &handle) >= 0, let handle else {
        _ = HDF5Library.drainErrorStack()
        return nil
    }
    return handle.load(as: Int32.self)
}
