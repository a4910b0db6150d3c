#if canImport(Glibc)
import Glibc
#endif

/// Opens that never follow a symbolic link at the last component and never block on a
/// FIFO: the one way the lab creates a file or takes a lock file.
public enum SafeOpen {
    /// Creates `path`, which must not exist (`O_CREAT|O_EXCL|O_NOFOLLOW`), for writing.
    public static func createNew(_ path: String, mode: mode_t = 0o644) throws(FileSystemError) -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST { throw FileSystemError("create", path: path, reason: "something exists at this temporary name (a link planted by another user?); remove it") }
            throw FileSystemError("create", path: path, code: code)
        }
        return descriptor
    }

    /// Opens or creates the lock file `path` for reading and writing: never through a
    /// symbolic link (`O_NOFOLLOW`), never a FIFO or device (`O_NONBLOCK`, then `fstat`),
    /// and only a regular file with one link owned by this user, so that writing the
    /// holder's pid into it can change nothing else.
    public static func lockFile(_ path: String) throws(FileSystemError) -> Int32 {
        let descriptor = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0o644)
        guard descriptor >= 0 else { throw FileSystemError("open the lock file", path: path, code: errno) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            close(descriptor)
            throw FileSystemError("open the lock file", path: path, code: code)
        }
        let problem: String? =
            if info.st_mode & S_IFMT != S_IFREG { "is not a regular file; remove it" }
            else if info.st_nlink != 1 { "has \(info.st_nlink) hard links (it must be infoplane's own file); remove it" }
            else if info.st_uid != geteuid() { "belongs to another user (uid \(info.st_uid)); remove it" }
            else { nil }
        if let problem {
            close(descriptor)
            throw FileSystemError("use the lock file", path: path, reason: problem)
        }
        // Back to blocking I/O for the reads and writes of the pid.
        let flags = fcntl(descriptor, F_GETFL)
        if flags >= 0 { _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) }
        return descriptor
    }

    /// Writes every byte, retrying short writes and interruptions.
    public static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws(FileSystemError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress! + offset, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw FileSystemError("write", path: path, code: errno)
            }
            offset += written
        }
    }

    /// Whether `path` is a symbolic link (`lstat`).
    public static func isSymbolicLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
    }
}
