import Datasets
import Foundation
import Testing
import TestSupport
import RealModule

@Suite("IDX files")
struct IDXTests {
    static let folder = "/usr/share/datasets/fashion-mnist"

    @Test func fashionMNISTTestSetReads() throws {
        let data = try DatasetLoaders.mnistFolder(Self.folder, split: .test)
        #expect(data.inputs.shape == [10000, 28, 28, 1])
        #expect(data.classCount == 10)
        #expect(Array(data.labels.prefix(10)) == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        for label in 0..<10 { #expect(data.labels.filter { $0 == Int32(label) }.count == 1000) }
        // Pixel sum of the first image is 33456 / 255 after scaling to [0, 1].
        let first = data.inputs.scalars[0..<784].reduce(0, +)
        #expect(first.isApproximatelyEqual(to: 33456 / 255, absoluteTolerance: 1e-2))
        #expect(data.inputs.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    /// Writes an IDX file (optionally gzipped with the system's gzip).
    func writeIDX(_ path: String, type: UInt8, dims: [UInt32], payload: [UInt8], gzip: Bool = false) throws {
        var bytes: [UInt8] = [0, 0, type, UInt8(dims.count)]
        for d in dims { bytes += [UInt8(d >> 24), UInt8((d >> 16) & 0xFF), UInt8((d >> 8) & 0xFF), UInt8(d & 0xFF)] }
        bytes += payload
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        if gzip { _ = try TestSupport.run("/usr/bin/gzip", ["-f", path]) }
    }

    @Test func smallFilesAllTypesAndErrors() throws {
        let dir = TestSupport.temporaryDirectory("idx")
        defer { try? FileManager.default.removeItem(at: dir) }
        let images = dir.appendingPathComponent("img").path
        let labels = dir.appendingPathComponent("lab").path
        try writeIDX(images, type: 0x08, dims: [2, 2, 2], payload: [0, 255, 51, 102, 1, 2, 3, 4], gzip: true)
        try writeIDX(labels, type: 0x08, dims: [2], payload: [3, 1])
        let data = try DatasetLoaders.idx(images: images + ".gz", labels: labels)
        #expect(data.inputs.shape == [2, 2, 2, 1])
        #expect(data.inputs.scalars[1] == 1)
        #expect(data.inputs.scalars[2].isApproximatelyEqual(to: 0.2, absoluteTolerance: 1e-7))
        #expect(data.labels == [3, 1])

        // Big-endian int16 and float32 values.
        let shorts = dir.appendingPathComponent("shorts").path
        try writeIDX(shorts, type: 0x0B, dims: [2], payload: [0xFF, 0xFE, 0x01, 0x00])
        #expect(try IDXFile.read(shorts).values == [-2, 256])
        let floats = dir.appendingPathComponent("floats").path
        try writeIDX(floats, type: 0x0D, dims: [1], payload: [0x3F, 0xC0, 0x00, 0x00])
        #expect(try IDXFile.read(floats).values == [1.5])

        // Wrong magic, unknown type, truncated, trailing bytes, count mismatch, bad label.
        let bad = dir.appendingPathComponent("bad").path
        try Data([1, 2, 8, 1, 0, 0, 0, 1, 0]).write(to: URL(fileURLWithPath: bad))
        #expect(throws: DatasetError.self) { try IDXFile.read(bad) }
        try writeIDX(bad, type: 0x07, dims: [1], payload: [0])
        #expect(throws: DatasetError.self) { try IDXFile.read(bad) }
        try writeIDX(bad, type: 0x08, dims: [3], payload: [0, 1])
        do {
            _ = try IDXFile.read(bad)
            Issue.record("expected an error")
        } catch {
            #expect(error.reason.contains("truncated"))
            #expect(error.file == bad)
        }
        try writeIDX(bad, type: 0x08, dims: [1], payload: [0, 1])
        #expect(throws: DatasetError.self) { try IDXFile.read(bad) }
        let threeLabels = dir.appendingPathComponent("three").path
        try writeIDX(threeLabels, type: 0x08, dims: [3], payload: [0, 1, 2])
        #expect(throws: DatasetError.self) { try DatasetLoaders.idx(images: images + ".gz", labels: threeLabels) }
    }

    @Test func truncatedGzipFails() throws {
        let dir = TestSupport.temporaryDirectory("idx-gz")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Data(contentsOf: URL(fileURLWithPath: "\(Self.folder)/t10k-labels-idx1-ubyte.gz"))
        let path = dir.appendingPathComponent("cut.gz").path
        try source.prefix(source.count / 2).write(to: URL(fileURLWithPath: path))
        do {
            _ = try IDXFile.read(path)
            Issue.record("expected an error")
        } catch {
            #expect(error.file == path)
            #expect(error.kind == .malformed)
        }
        var corrupted = [UInt8](source)
        for i in 100..<140 { corrupted[i] ^= 0xA5 }
        try Data(corrupted).write(to: URL(fileURLWithPath: path))
        #expect(throws: DatasetError.self) { try IDXFile.read(path) }
    }
}
