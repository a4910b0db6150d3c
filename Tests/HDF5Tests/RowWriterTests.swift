import Foundation
import HDF5
import Testing
import TestSupport

/// `H5RowWriter`: rows written with `pwrite` at their offsets make the same file, byte
/// for byte, as `H5Dwrite` does; datasets it cannot write directly go through HDF5.
@Suite("HDF5: row writer")
struct RowWriterTests {
    /// One file of four preallocated datasets, every row written by `write` (the row
    /// writers, or `H5Dataset.writeRow` for the reference); returns the file's bytes.
    static func written(_ path: String, userBlock: Int = 0, direct: Bool,
                        expectDirect: Bool = true) throws -> [UInt8] {
        do {
            let file = try H5File.create(path, overwrite: true, directRawWrites: true, userBlock: userBlock)
            let floats = try file.createDataset("floats", of: Float.self, shape: [5, 3, 2], options: .preallocated())
            let halves = try file.createDataset("halves", of: Float16.self, shape: [5, 7], options: .preallocated())
            let counts = try file.createDataset("counts", of: Int64.self, shape: [5], options: .preallocated(fill: -1))
            let doubles = try file.createDataset("doubles", of: Double.self, shape: [5], options: .preallocated(fill: .nan))
            try file.flush()
            for row in [3, 0, 4] {
                let f: [Float] = (0..<6).map { Float(row * 10 + $0) + 0.25 }
                let h: [Float16] = (0..<7).map { Float16(Float(row) - Float($0) / 8) }
                if direct {
                    let writers = (try floats.rowWriter(of: Float.self), try halves.rowWriter(of: Float16.self),
                                   try counts.rowWriter(of: Int64.self), try doubles.rowWriter(of: Double.self))
                    #expect(writers.0.writesDirectly == expectDirect && writers.1.writesDirectly == expectDirect)
                    #expect(writers.2.writesDirectly == expectDirect && writers.3.writesDirectly == expectDirect)
                    try writers.0.write(row: row, f)
                    try writers.1.write(row: row, h)
                    try writers.2.write(row: row, [Int64(row) * 1000])
                    try writers.3.write(row: row, [Double(row) / 3])
                } else {
                    try floats.writeRow(row, f)
                    try halves.writeRow(row, h)
                    try counts.writeRow(row, [Int64(row) * 1000])
                    try doubles.writeRow(row, [Double(row) / 3])
                }
            }
        }
        return try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test(arguments: [0, 512])
    func directRowsMakeTheFileH5DwriteMakes(userBlock: Int) throws {
        let folder = TestSupport.temporaryDirectory("rowwriter")
        defer { try? FileManager.default.removeItem(at: folder) }
        let viaHDF5 = try Self.written(folder.appendingPathComponent("hdf5.h5").path, userBlock: userBlock, direct: false)
        let path = folder.appendingPathComponent("direct.h5").path
        let direct = try Self.written(path, userBlock: userBlock, direct: true)
        #expect(direct == viaHDF5)
        // And what a reader gets: rows 0, 3, 4 written, rows 1, 2 their fill.
        let file = try H5File.open(path)
        let counts: [Int64] = try file.dataset("counts").read()
        #expect(counts == [0, -1, -1, 3000, 4000])
        let floats: [Float] = try file.dataset("floats").read()
        let row3: [Float] = (0..<6).map { Float(30 + $0) + 0.25 }
        #expect(Array(floats[18..<24]) == row3)
    }

    @Test func datasetsItCannotWriteDirectlyGoThroughHDF5() throws {
        let folder = TestSupport.temporaryDirectory("rowwriter-fallback")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("f.h5").path
        do {
            // A file with HDF5's sieve buffer: HDF5 may hold raw bytes of its own.
            let file = try H5File.create(path, overwrite: true)
            let contiguous = try file.createDataset("contiguous", of: Float.self, shape: [4, 3], options: .preallocated())
            // Chunked, and a stored type other than the written one (converted).
            let strict = try H5File.create(folder.appendingPathComponent("g.h5").path, overwrite: true, directRawWrites: true)
            let chunked = try strict.createDataset("chunked", of: Float.self, shape: [4, 3], options: DatasetOptions(chunk: [1, 3]))
            let converted = try strict.createDataset("converted", of: Double.self, shape: [4, 3], options: .preallocated())
            let writers = [try contiguous.rowWriter(of: Float.self), try chunked.rowWriter(of: Float.self),
                           try converted.rowWriter(of: Float.self)]
            for writer in writers {
                #expect(!writer.writesDirectly, "\(writer.dataset.path)")
                try writer.write(row: 2, [1.5, -2, 3])
                let values: [Double] = try writer.dataset.read()
                #expect(values == [0, 0, 0, 0, 0, 0, 1.5, -2, 3, 0, 0, 0])
            }
        }
    }

    @Test func rowsOutsideTheDatasetAreRefused() throws {
        let folder = TestSupport.temporaryDirectory("rowwriter-bounds")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try H5File.create(folder.appendingPathComponent("f.h5").path, overwrite: true, directRawWrites: true)
        let dataset = try file.createDataset("x", of: Float.self, shape: [4, 3], options: .preallocated())
        try file.flush()
        let writer = try dataset.rowWriter(of: Float.self)
        #expect(writer.writesDirectly)
        let outside: [(row: Int, values: [Float])] = [(4, [0, 0, 0]), (-1, [0, 0, 0]), (3, [0, 0, 0, 0, 0, 0]), (0, [0, 0])]
        for (row, values) in outside {
            #expect(throws: HDF5Error.self) { try writer.write(row: row, values) }
        }
    }
}
