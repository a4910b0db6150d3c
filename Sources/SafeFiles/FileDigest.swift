import COpenSSL
import Diagnostics
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
        var hasher = try SHA256Hasher()
        while let block = try handle.read(upToCount: 1 << 22), !block.isEmpty {
            try block.withUnsafeBytes { try hasher.update($0) }
        }
        return "sha256:" + (try hasher.finish())
    }

    /// The 64 lower-case hex digits of SHA-256 over `bytes`.
    public static func sha256Hex(_ bytes: [UInt8]) throws(DigestError) -> String {
        var hasher = try SHA256Hasher()
        let failure = bytes.withUnsafeBytes { buffer -> DigestError? in
            do throws(DigestError) { try hasher.update(buffer) } catch { return error }
            return nil
        }
        if let failure { throw failure }
        return try hasher.finish()
    }
}

/// libcrypto could not compute a digest (out of memory, or a build without SHA-256): a
/// runtime failure, reported with the call that failed.
public struct DigestError: LabError {
    public var failure: FailureKind { .runtime }
    public var call: String
    public var description: String { "libcrypto's SHA-256 failed (\(call))" }
}

/// SHA-256 through libcrypto's EVP interface, fed in blocks.
struct SHA256Hasher: ~Copyable {
    private let context: OpaquePointer

    init() throws(DigestError) {
        guard let context = EVP_MD_CTX_new() else { throw DigestError(call: "EVP_MD_CTX_new") }
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            EVP_MD_CTX_free(context)
            throw DigestError(call: "EVP_DigestInit_ex")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    mutating func update(_ bytes: UnsafeRawBufferPointer) throws(DigestError) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        guard EVP_DigestUpdate(context, base, bytes.count) == 1 else { throw DigestError(call: "EVP_DigestUpdate") }
    }

    consuming func finish() throws(DigestError) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &digest, &length) == 1, length == 32 else { throw DigestError(call: "EVP_DigestFinal_ex") }
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
