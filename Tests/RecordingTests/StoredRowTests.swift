import Foundation
import HDF5
@testable import Recording
import Tensor
import Testing
import TestSupport

/// `RunCompaction.storedRow`: a row chunked and filtered as compaction stores it,
/// inflated outside HDF5, equals what HDF5's own pipeline reads; other layouts are left
/// to HDF5; a damaged chunk is an error naming dataset and row.
@Suite("Run compaction: reading stored rows")
struct StoredRowTests {
    static let shape = [4, 300, 3]

    static func values(seed: UInt64) -> [Float16] {
        var rng = SeededRNG(seed: seed)
        return (0..<shape.reduce(1, *)).map { _ in Float16(Kernels.fastTanh(rng.uniform(-3, 3))) }
    }

    /// Rows written through HDF5's own filters (shuffle + deflate, deflate alone, none).
    @Test(arguments: [(true, 4), (false, 4), (false, 0)])
    func rowsInflatedHereAreWhatHDF5Reads(shuffle: Bool, level: Int) throws {
        let folder = TestSupport.temporaryDirectory("stored-row")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try H5File.create(folder.appendingPathComponent("f.h5").path, overwrite: true)
        let options = DatasetOptions(chunk: [1, 300, 3], deflate: level == 0 ? nil : level, shuffle: shuffle)
        let dataset = try file.createDataset("a", of: Float16.self, shape: Self.shape, options: options)
        let values = Self.values(seed: 4)
        try dataset.write(values)
        for row in 0..<Self.shape[0] {
            for inflater in [RunCompaction.Inflater.fastest, .zlib] {
                let stored = try RunCompaction.storedRow(dataset, row, as: Float16.self, inflater: inflater)
                #expect(stored == (try dataset.readRow(row, as: Float16.self)))
                #expect(stored.map { Array($0) } == Array(values[(row * 900)..<((row + 1) * 900)]))
            }
        }
        // Another element type than the stored one is HDF5's to convert.
        #expect(try RunCompaction.storedRow(dataset, 0, as: Float.self) == nil)
    }

    /// Contiguous storage, chunks that cut a row, and rows outside the dataset: HDF5's.
    @Test func otherLayoutsAreLeftToHDF5() throws {
        let folder = TestSupport.temporaryDirectory("stored-row-other")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try H5File.create(folder.appendingPathComponent("f.h5").path, overwrite: true)
        let contiguous = try file.createDataset("c", of: Float16.self, shape: Self.shape, options: .preallocated())
        let cut = try file.createDataset("cut", of: Float16.self, shape: Self.shape,
                                         options: DatasetOptions(chunk: [1, 150, 3], deflate: 4, shuffle: true))
        try cut.write(Self.values(seed: 5))
        #expect(try RunCompaction.storedRow(contiguous, 0, as: Float16.self) == nil)
        #expect(try RunCompaction.storedRow(cut, 0, as: Float16.self) == nil)
        #expect(try RunCompaction.storedRow(cut, 4, as: Float16.self) == nil)
    }

    /// A chunk that is no zlib stream, inflates to another length, or fails its checksum
    /// is an error, with either inflater.
    @Test func damagedChunksAreErrors() throws {
        let folder = TestSupport.temporaryDirectory("stored-row-damaged")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try H5File.create(folder.appendingPathComponent("f.h5").path, overwrite: true)
        let dataset = try file.createDataset("a", of: Float16.self, shape: Self.shape,
                                             options: DatasetOptions(chunk: [1, 300, 3], deflate: 4, shuffle: true))
        try dataset.write(Self.values(seed: 6))
        let garbage = [UInt8](repeating: 0x5A, count: 200)
        let short = try #require(RunCompaction.shuffleAndDeflate([UInt8](repeating: 1, count: 900), elementSize: 2, level: 4))
        try dataset.writeRawChunk(at: [1, 0, 0], garbage)
        try dataset.writeRawChunk(at: [2, 0, 0], short)
        // A stream whose checksum no longer matches: one byte of its Adler-32 changed.
        var tampered = try #require(RunCompaction.shuffleAndDeflate(Array(Self.values(seed: 7).withUnsafeBytes { Array($0) }[0..<1800]),
                                                                   elementSize: 2, level: 4))
        tampered[tampered.count - 1] ^= 1
        try dataset.writeRawChunk(at: [3, 0, 0], tampered)
        for row in [1, 2, 3] {
            for inflater in [RunCompaction.Inflater.fastest, .zlib] {
                do {
                    _ = try RunCompaction.storedRow(dataset, row, as: Float16.self, inflater: inflater)
                    Issue.record("a damaged chunk at row \(row) was read (\(inflater))")
                } catch let error as RunFileError {
                    #expect("\(error)".contains("/a at row \(row)"), "\(error)")
                }
            }
        }
        #expect(try RunCompaction.storedRow(dataset, 0, as: Float16.self) != nil)
    }
}
