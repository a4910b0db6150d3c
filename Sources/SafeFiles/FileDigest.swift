import COpenSSL
import Foundation

/// The content digest of a file: SHA-256 over its bytes, written `sha256:<64 hex digits>`
/// (the same digits `sha256sum` prints), computed by OpenSSL's libcrypto (FIPS 180-4).
/// Analyses record the digest of every run file they read, so that a changed run
/// (resumed, extended, replaced) is told from the one analysed; imported models record
/// theirs.
public enum FileDigest {
    /// Reads the file in 4 MiB blocks (never whole) and returns `sha256:…`.
    public static func sha256(of path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        var hasher = SHA256Hasher()
        while let block = try handle.read(upToCount: 1 << 22), !block.isEmpty {
            block.withUnsafeBytes { hasher.update($0) }
        }
        return "sha256:" + hasher.finish()
    }

    /// The 64 lower-case hex digits of SHA-256 over `bytes`.
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        var hasher = SHA256Hasher()
        bytes.withUnsafeBytes { hasher.update($0) }
        return hasher.finish()
    }
}

/// SHA-256 through libcrypto's EVP interface, fed in blocks.
struct SHA256Hasher: ~Copyable {
    private let context: OpaquePointer

    init() {
        // Allocation failure of a few hundred bytes, or a libcrypto without SHA-256: nothing a caller can recover from.
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            fatalError("libcrypto could not start a SHA-256 digest")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        precondition(EVP_DigestUpdate(context, base, bytes.count) == 1, "libcrypto's SHA-256 update failed")
    }

    consuming func finish() -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        precondition(EVP_DigestFinal_ex(context, &digest, &length) == 1 && length == 32, "libcrypto's SHA-256 could not finish")
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in digest.prefix(Int(length)) {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
