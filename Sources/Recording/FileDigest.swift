import Crypto
import Foundation

/// The content digest of a file: SHA-256 over its bytes, written `sha256:<64 hex digits>`
/// (the same digits `sha256sum` prints). Analyses record the digest of every run file they
/// read, so that a changed run (resumed, extended, replaced) is told from the one analysed.
public enum FileDigest {
    /// Reads the file in 4 MiB blocks (never whole) and returns `sha256:…`.
    public static func sha256(of path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let block = try handle.read(upToCount: 1 << 22), !block.isEmpty {
            hasher.update(data: block)
        }
        return "sha256:" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
