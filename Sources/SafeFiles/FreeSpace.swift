import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the file system that will hold a new file can take.
public enum FreeSpace {
    /// The file system holding `path` (or its nearest existing ancestor).
    public enum Room: Equatable, Sendable {
        /// Writable, with this many bytes free for an unprivileged writer.
        case free(Int)
        /// Mounted read-only: nothing can be written whatever `statvfs` counts as free.
        case readOnly
    }

    /// The room near `path`, or nil when the system does not say.
    public static func room(near path: String) -> Room? {
        // Absolute first: (NSString).deletingLastPathComponent traps on some one-letter
        // relative paths ("a") in swift-corelibs-foundation.
        var folder = URL(fileURLWithPath: path.isEmpty ? "." : path).standardizedFileURL
        while !FileManager.default.fileExists(atPath: folder.path), folder.path != "/" {
            folder = folder.deletingLastPathComponent()
        }
        var info = statvfs()
        guard statvfs(folder.path, &info) == 0 else { return nil }
        if info.f_flag & UInt(ST_RDONLY) != 0 { return .readOnly }
        let (free, overflow) = Int(info.f_bavail).multipliedReportingOverflow(by: Int(info.f_frsize))
        return .free(overflow ? Int.max : free)
    }

    /// Refuses, before anything is written, a write of `bytes` near `path` that the file
    /// system cannot take: read-only (EROFS), or fewer bytes free (ENOSPC).
    public static func require(_ bytes: Int, near path: String, for operation: String) throws(FileSystemError) {
        switch room(near: path) {
        case .readOnly?:
            throw FileSystemError(operation, path: path, code: EROFS)
        case .free(let free)? where free < bytes:
            throw FileSystemError(operation, path: path, reason: "it needs \(bytes >> 10) KiB and the disk has \(free >> 10) KiB free (ENOSPC): free some space and run again")
        default:
            return
        }
    }
}
