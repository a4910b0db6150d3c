#if canImport(Glibc)
import Glibc
#endif

extension H5File {
    /// Reserves the disk blocks of the whole file as it stands (`posix_fallocate` over its
    /// size; the bytes read the same, zeros where nothing was written). A file laid out
    /// at its final size up front, as a run file is, then takes its later writes without
    /// the file system allocating blocks page by page (on ext4 most of a buffered write's
    /// cost), and a disk too small for it fails now rather than in the middle of a run.
    ///
    /// - Throws: ``HDF5Error`` (`callFailed`, call `posix_fallocate`) when the disk has no
    ///   room for the file. A file system that cannot reserve space is left as it is.
    public func reserveDiskSpace() throws(HDF5Error) {
        guard let descriptor = fileDescriptor(handle.id) else { return }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size > 0 else { return }
        let result = posix_fallocate(descriptor, 0, status.st_size)
        if result == ENOSPC || result == EFBIG {
            throw HDF5Error(.callFailed, call: "posix_fallocate", file: filePath,
                            detail: "no room on the disk for the file's \(status.st_size / 1_048_576) MiB")
        }
    }
}
