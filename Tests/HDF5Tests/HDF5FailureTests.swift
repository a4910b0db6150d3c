import Foundation
import HDF5
import Testing
import TestSupport

@Suite("HDF5 failure paths")
struct HDF5FailureTests {
    let directory = TestSupport.temporaryDirectory("hdf5-fail")

    /// Runs `open` on `path` with stderr captured; checks the error kind, that it names
    /// the path, and that HDF5 printed nothing.
    func expectOpenFails(_ path: String, kind: HDF5Error.Kind) {
        var caught: HDF5Error?
        let stderr = TestSupport.capturingStderr {
            do {
                _ = try H5File.open(path)
            } catch {
                caught = error as? HDF5Error
            }
        }
        #expect(caught?.kind == kind)
        #expect(caught?.description.contains(path) == true)
        #expect(stderr.isEmpty, "HDF5 printed to stderr: \(stderr)")
    }

    @Test func missingFile() {
        expectOpenFails(directory.appendingPathComponent("absent.h5").path, kind: .fileNotFound)
    }

    @Test func notAnHDF5File() throws {
        let path = directory.appendingPathComponent("text.h5").path
        try "this is not HDF5\n".write(toFile: path, atomically: true, encoding: .utf8)
        expectOpenFails(path, kind: .notHDF5)
        // A MATLAB v5 file is not HDF5 either.
        expectOpenFails(TestSupport.dataFile("var_u.mat"), kind: .notHDF5)
    }

    @Test func truncatedFile() throws {
        let full = directory.appendingPathComponent("full.h5").path
        do {
            let file = try H5File.create(full)
            let data = try file.createDataset("x", of: Float.self, shape: [0, 64], options: .extendible(deflate: 1))
            for row in 0..<64 { try data.append((0..<64).map { Float(row * $0) }, rows: 1) }
            try file.setAttribute("about", String(repeating: "run ", count: 100))
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: full))
        let truncated = directory.appendingPathComponent("truncated.h5").path
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        var caught: Error?
        let stderr = TestSupport.capturingStderr {
            do {
                let file = try H5File.open(truncated)
                // Some truncations still open; reading the lost data must then fail cleanly.
                _ = try file.dataset("x").read(as: Float.self)
                _ = try file.stringAttribute("about")
            } catch {
                caught = error
            }
        }
        let error = try #require(caught as? HDF5Error)
        #expect(error.description.contains("truncated.h5"))
        #expect(stderr.isEmpty, "HDF5 printed to stderr: \(stderr)")
    }
}
