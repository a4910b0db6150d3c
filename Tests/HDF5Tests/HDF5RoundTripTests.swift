import Foundation
import HDF5
import Testing
import TestSupport

@Suite("HDF5 round trips")
struct HDF5RoundTripTests {
    let directory = TestSupport.temporaryDirectory("hdf5")

    /// Writes the file every interop test reads: extendible chunked compressed float32
    /// and float16 datasets, a fixed int64 dataset, string and numeric attributes.
    func writeSample(_ path: String) throws -> (float32: [Float], float16: [Float]) {
        let file = try H5File.create(path)
        try file.setAttribute("format", "infoplane-test")
        try file.setAttribute("version", Int32(3))
        try file.setAttribute("rate", 0.25)
        try file.setAttribute("widths", [Int64(12), 10, 7])
        try file.setAttribute("note", "grüße ∑ — utf-8")
        let layers = try file.createGroup("layers/0_dense")
        try layers.setAttribute("activation", "tanh")
        let activations = try layers.createDataset("activations", of: Float.self, shape: [0, 5, 3],
                                                   options: .extendible(deflate: 4))
        let half = try layers.createDataset("half", of: Float16.self, shape: [0, 5, 3], options: .extendible())
        var all32: [Float] = []
        var all16: [Float] = []
        for epoch in 0..<4 {
            let values = (0..<15).map { Float(epoch) + Float($0) / 16 - 0.37 }
            try activations.append(values, rows: 1)
            let halves = values.map { Float16($0) }
            try half.append(halves, rows: 1)
            all32 += values
            all16 += halves.map { Float($0) }
        }
        try file.writeDataset("indices", (0..<6).map { Int64($0 * 7) }, shape: [2, 3])
        try file.flush()
        return (all32, all16)
    }

    @Test func swiftReadsWhatItWrote() throws {
        let path = directory.appendingPathComponent("sample.h5").path
        let expected = try writeSample(path)
        let file = try H5File.open(path)
        #expect(try file.stringAttribute("format") == "infoplane-test")
        #expect(try file.attribute("version", as: Int32.self) == 3)
        #expect(try file.attribute("version", as: Double.self) == 3)
        #expect(try file.attribute("rate", as: Double.self) == 0.25)
        #expect(try file.arrayAttribute("widths", as: Int64.self) == [12, 10, 7])
        #expect(try file.stringAttribute("note") == "grüße ∑ — utf-8")
        #expect(try file.attributeNames() == ["format", "note", "rate", "version", "widths"])
        #expect(file.contains("layers/0_dense/activations"))
        #expect(!file.contains("layers/1_dense/activations"))
        #expect(file.isGroup("layers"))
        #expect(file.isDataset("/layers/0_dense/half"))
        let group = try file.group("layers/0_dense")
        #expect(try group.childNames() == ["activations", "half"])
        let activations = try group.dataset("activations")
        #expect(try activations.shape() == [4, 5, 3])
        #expect(try activations.maxShape() == [nil, 5, 3])
        #expect(try activations.read(as: Float.self) == expected.float32)
        #expect(try activations.readRow(2, as: Float.self) == Array(expected.float32[30..<45]))
        #expect(try activations.readRows(1..<3, as: Double.self) == expected.float32[15..<45].map(Double.init))
        let half = try group.dataset("half")
        #expect(try half.storedElementSize() == 2)
        #expect(try half.read(as: Float.self) == expected.float16)
        #expect(try file.dataset("indices").read(as: Int64.self) == [0, 7, 14, 21, 28, 35])
    }

    @Test func errorsNameTheObject() throws {
        let path = directory.appendingPathComponent("errors.h5").path
        _ = try writeSample(path)
        do {
            let file = try H5File.open(path)
            #expect(throws: HDF5Error.self) { try file.dataset("nope") }
            do {
                _ = try file.dataset("layers/0_dense/missing")
                Issue.record("expected an error")
            } catch {
                #expect(error.kind == .objectNotFound)
                #expect(error.description.contains("errors.h5"))
                #expect(error.description.contains("/layers/0_dense/missing"))
            }
        }
        // Appending to a fixed-size dataset and a wrong count are mismatches, not crashes.
        do {
            let writable = try H5File.open(path, mode: .readWrite)
            let indices = try writable.dataset("indices")
            #expect(throws: HDF5Error.self) { try indices.append([Int64(1), 2, 3], rows: 1) }
            let activations = try writable.dataset("layers/0_dense/activations")
            #expect(throws: HDF5Error.self) { try activations.append([Float(1)], rows: 1) }
            #expect(throws: HDF5Error.self) { try activations.readRows(3..<9, as: Float.self) }
        }
        // Writing to a file opened read-only fails with HDF5's reason.
        do {
            let readOnly = try H5File.open(path)
            #expect(throws: HDF5Error.self) { try readOnly.setAttribute("x", Int32(1)) }
        }
        // Creating over an existing file without overwrite is refused and leaves it intact.
        #expect(throws: HDF5Error.self) { try H5File.create(path) }
        #expect(try H5File.open(path).stringAttribute("format") == "infoplane-test")
    }

    @Test func replacingAnAttributeKeepsOneCopy() throws {
        let path = directory.appendingPathComponent("replace.h5").path
        let file = try H5File.create(path)
        try file.setAttribute("a", "first")
        try file.setAttribute("a", "second")
        try file.setAttribute("n", Int32(1))
        try file.setAttribute("n", 2.5)
        #expect(try file.stringAttribute("a") == "second")
        #expect(try file.attribute("n", as: Double.self) == 2.5)
        #expect(try file.attributeNames() == ["a", "n"])
    }

    @Test func handlesCloseThemselves() throws {
        let path = directory.appendingPathComponent("leaks.h5").path
        let file = try H5File.create(path)
        let group = try file.createGroup("many")
        for i in 0..<100 {
            _ = try group.writeDataset("d\(i)", [Float(i)])
        }
        let before = file.openObjectCount
        for i in 0..<10_000 {
            let dataset = try group.dataset("d\(i % 100)")
            let value = try dataset.read(as: Float.self)
            #expect(value.first == Float(i % 100))
            _ = try dataset.shape()
            _ = try dataset.attributeNames()
        }
        #expect(file.openObjectCount == before)
    }
}
