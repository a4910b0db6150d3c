#if canImport(Glibc)
import Diagnostics
import Glibc
#endif

/// A failed file-system call on a path, with the operating system's reason kept as its
/// `errno` and said in words: a full disk, a read-only file system and a missing
/// permission are named as such, never as Foundation's `NSCocoaErrorDomain` text.
public struct FileSystemError: LabError, Equatable {
    /// The machine's failure when the system said so (``isEnvironmental``), else the input's.
    public var failure: FailureKind { isEnvironmental ? .runtime : .input }

    /// What was being done: `create`, `write`, `rename`, `lock`, …
    public var operation: String
    /// The path the call was on.
    public var path: String
    /// The `errno` the call set (0 when the refusal is the lab's own, see ``reason``).
    public var code: Int32
    /// The lab's own reason, when the call did not fail but the file was refused.
    public var reason: String?

    public init(_ operation: String, path: String, code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
        self.reason = nil
    }

    public init(_ operation: String, path: String, reason: String) {
        self.operation = operation
        self.path = path
        self.code = 0
        self.reason = reason
    }

    /// Whether the failure is the machine's (disk full, read-only, permissions, I/O) rather
    /// than the input's: exit 1 rather than 2.
    public var isEnvironmental: Bool {
        reason == nil && [ENOSPC, EDQUOT, EROFS, EACCES, EPERM, EIO, ENOMEM, EMFILE, ENFILE, EFBIG].contains(code)
    }

    /// The reason in words: the `errno` name for the cases a user acts on, then strerror.
    public static func explain(_ code: Int32) -> String {
        switch code {
        case ENOSPC: "no space left on the device (ENOSPC): free some space and run again"
        case EDQUOT: "the disk quota is used up (EDQUOT): free some space and run again"
        case EROFS: "the file system is read-only (EROFS): choose a folder you can write"
        case EACCES, EPERM: "permission denied (\(code == EACCES ? "EACCES" : "EPERM"))"
        case ELOOP: "is a symbolic link, which infoplane does not follow when writing (ELOOP); remove it"
        case EFBIG: "the file would exceed the largest size this file system allows (EFBIG)"
        default: String(cString: strerror(code))
        }
    }

    public var description: String {
        if let reason { return "\(path): cannot \(operation): \(reason)" }
        return "\(path): cannot \(operation): \(Self.explain(code))"
    }
}
