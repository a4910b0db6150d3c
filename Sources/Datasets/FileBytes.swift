import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads whole files, turning every failure into a ``DatasetError`` naming the path.
///
/// Only regular files are read (a FIFO or a device would block or never end), and a
/// file larger than ``maximumBytes`` is refused before it is read.
enum FileBytes {
    /// The largest input file read into memory whole: 16 GiB.
    static let maximumBytes = 1 << 34

    /// Checks that `path` names a readable regular file; returns its size in bytes.
    static func checkRegularFile(_ path: String) throws(DatasetError) -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw DatasetError(.unreadable, file: path, errno == ENOENT ? "no such file" : "cannot read the file (\(String(cString: strerror(errno))))")
        }
        let kind = info.st_mode & S_IFMT
        guard kind == S_IFREG else {
            throw DatasetError(.unreadable, file: path, kind == S_IFDIR ? "is a folder, not a file" : "is not a regular file")
        }
        return Int(info.st_size)
    }

    static func read(_ path: String) throws(DatasetError) -> [UInt8] {
        let size = try checkRegularFile(path)
        guard size <= maximumBytes else {
            throw DatasetError(.unsupported, file: path, "\(size) bytes is more than the \(maximumBytes) bytes an input file may have")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(.unreadable, file: path, "cannot read the file")
        }
        return [UInt8](data)
    }

    /// Whether `bytes` start with the gzip magic (1f 8b).
    static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }
}

/// Products of sizes read from files, checked: every factor non-negative and the
/// product without overflow (a crafted header must not trap or wrap around).
enum CheckedSize {
    /// The product of `factors`, or nil when one is negative or the product overflows.
    static func product(_ factors: [Int]) -> Int? {
        var total = 1
        for factor in factors {
            guard factor >= 0 else { return nil }
            let (next, overflow) = total.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            total = next
        }
        return total
    }
}
