import Foundation
import HDF5
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `H5File.reserveDiskSpace`: a file laid out at its final size gets its disk blocks at
/// once; its size and bytes stay what they were.
@Suite("HDF5: reserving disk space")
struct ReserveDiskSpaceTests {
    static func blocksAndSize(_ path: String) -> (allocated: Int, size: Int) {
        var status = stat()
        guard stat(path, &status) == 0 else { return (0, 0) }
        return (Int(status.st_blocks) * 512, Int(status.st_size))
    }

    @Test func aLaidOutFileGetsItsBlocks() throws {
        let folder = TestSupport.temporaryDirectory("reserve")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("f.h5").path
        do {
            let file = try H5File.create(path, overwrite: true)
            // 8 MiB allocated in the file and never written: a hole on disk.
            _ = try file.createDataset("x", of: Float.self, shape: [2048, 1024], options: .preallocated())
            try file.flush()
            let before = Self.blocksAndSize(path)
            #expect(before.size >= 8 << 20)
            try file.reserveDiskSpace()
            let after = Self.blocksAndSize(path)
            #expect(after.size == before.size)
            #expect(after.allocated >= after.size && after.allocated > before.allocated, "\(before) → \(after)")
        }
        let reopened = try H5File.open(path)
        let values: [Float] = try reopened.dataset("x").read()
        #expect(values.count == 2048 * 1024 && values.allSatisfy { $0 == 0 })
    }
}
