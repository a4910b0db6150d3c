import Foundation
import SafeFiles
import Testing
import TestSupport

/// SHA-256 through libcrypto, against FIPS 180-4's examples and a file read in blocks.
@Suite("File digests")
struct FileDigestTests {
    @Test func fipsExamples() throws {
        #expect(try FileDigest.sha256Hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(try FileDigest.sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try FileDigest.sha256Hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    /// A file larger than one 4 MiB block: the block-wise digest equals the digest of the whole.
    @Test func filesAreDigestedInBlocks() throws {
        let folder = TestSupport.temporaryDirectory("digest")
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            let bytes = (0..<((1 << 22) + 12345)).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 7) }
            let path = folder.appendingPathComponent("data.bin").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(try FileDigest.sha256(of: path) == "sha256:" + (try FileDigest.sha256Hex(bytes)))
            // A million 'a' (FIPS 180-4's third example) through the file path.
            let million = folder.appendingPathComponent("a.txt").path
            try Data(repeating: UInt8(ascii: "a"), count: 1_000_000).write(to: URL(fileURLWithPath: million))
            #expect(try FileDigest.sha256(of: million) == "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        }
    }
}
