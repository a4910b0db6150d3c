import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files written whole or not at all: the new contents go to a temporary file beside the
/// target, created with `O_CREAT|O_EXCL|O_NOFOLLOW` (so a planted link or file at the
/// temporary name is never followed or reused), flushed with `fsync`, then renamed over
/// the target. `rename` replaces a link at the target itself, never what it points to.
/// A failure (a full disk, a killed process) leaves the old file, or none, never a
/// truncated one; the temporary file is removed on failure.
public enum AtomicFile {
    /// Writes `bytes` to `path`.
    public static func write(_ bytes: some Collection<UInt8>, to path: String) throws(FileSystemError) {
        let temporary = temporaryPath(for: path)
        try removeLeftover(temporary)
        do throws(FileSystemError) {
            let descriptor = try SafeOpen.createNew(temporary)
            defer { close(descriptor) }
            try SafeOpen.writeAll(descriptor, Array(bytes), path: temporary)
            guard fsync(descriptor) == 0 else { throw FileSystemError("write", path: temporary, code: errno) }
            try moveIntoPlace(temporary, path)
        } catch {
            _ = unlink(temporary)
            throw error
        }
    }

    /// Writes `text` as UTF-8 to `path`.
    public static func write(_ text: String, to path: String) throws(FileSystemError) {
        try write(Array(text.utf8), to: path)
    }

    /// Writes `data` to `path`.
    public static func write(_ data: Data, to path: String) throws(FileSystemError) {
        try write([UInt8](data), to: path)
    }

    /// Runs `build` on a temporary path beside `path` (which `build` must create: its own
    /// `O_EXCL` open, an HDF5 create, another program's output), flushes it and renames it
    /// over `path`. A temporary file left by a crash of an earlier call is removed first
    /// (unlinked, never followed).
    public static func replace<E: Error>(_ path: String, suffix: String? = nil, _ build: (String) throws(E) -> Void) throws {
        let temporary = temporaryPath(for: path, suffix: suffix)
        try removeLeftover(temporary)
        do {
            try build(temporary)
            try flush(temporary)
            try moveIntoPlace(temporary, path)
        } catch {
            _ = unlink(temporary)
            throw error
        }
    }

    /// The temporary name beside `path`: `<path><suffix>`, or `<path>.tmp-<pid>`.
    public static func temporaryPath(for path: String, suffix: String? = nil) -> String {
        path + (suffix ?? ".tmp-\(getpid())")
    }

    /// Unlinks what a crashed earlier call left at `temporary` (never following it).
    static func removeLeftover(_ temporary: String) throws(FileSystemError) {
        if unlink(temporary) != 0 && errno != ENOENT {
            throw FileSystemError("remove the leftover", path: temporary, code: errno)
        }
    }

    /// The atomic step: `rename` over the target, then the folder flushed.
    static func moveIntoPlace(_ temporary: String, _ path: String) throws(FileSystemError) {
        guard rename(temporary, path) == 0 else { throw FileSystemError("move the new file into place", path: path, code: errno) }
        syncFolder(of: path)
    }

    /// `fsync` of a finished file: its bytes are on the disk before it replaces anything
    /// (a full disk can surface only here, on some file systems).
    static func flush(_ path: String) throws(FileSystemError) {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw FileSystemError("open the new file", path: path, code: errno) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw FileSystemError("write", path: path, reason: "the new file is not a regular file")
        }
        guard fsync(descriptor) == 0 else { throw FileSystemError("write", path: path, code: errno) }
    }

    /// Best effort: the rename itself reaches the disk.
    static func syncFolder(of path: String) {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }
}
