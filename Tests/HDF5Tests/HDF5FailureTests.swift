import Foundation
import HDF5
import Testing
import TestSupport

@Suite("HDF5 failure paths")
struct HDF5FailureTests {
    let directory = TestSupport.temporaryDirectory("hdf5-fail")

    /// Runs `open` on `path`; checks the error kind and that it names the path. Then,
    /// in a subprocess (so this process's stderr stays untouched), that the command
    /// reading the same file prints one line of ours and nothing of HDF5's.
    func expectOpenFails(_ path: String, kind: HDF5Error.Kind) throws {
        var caught: HDF5Error?
        do {
            _ = try H5File.open(path)
        } catch {
            caught = error as? HDF5Error
        }
        #expect(caught?.kind == kind)
        #expect(caught?.description.contains(path) == true)
        try expectQuiet(path)
    }

    /// `infoplane inspect path` fails with exactly one `infoplane: ` line on stderr: HDF5's
    /// own diagnostics (HDF5-DIAG …) are silenced.
    func expectQuiet(_ path: String) throws {
        let result = try TestSupport.run(TestSupport.product("infoplane"), ["inspect", path])
        let lines = result.stderr.split(whereSeparator: \.isNewline)
        #expect(result.status == 2)
        #expect(lines.count == 1 && lines[0].hasPrefix("infoplane: "), "HDF5 printed to stderr: \(result.stderr)")
    }

    @Test func missingFile() throws {
        try expectOpenFails(directory.appendingPathComponent("absent.h5").path, kind: .fileNotFound)
    }

    @Test func notAnHDF5File() throws {
        let path = directory.appendingPathComponent("text.h5").path
        try "this is not HDF5\n".write(toFile: path, atomically: true, encoding: .utf8)
        try expectOpenFails(path, kind: .notHDF5)
        // A MATLAB v5 file is not HDF5 either.
        try expectOpenFails(TestSupport.dataFile("var_u.mat"), kind: .notHDF5)
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
        do {
            let file = try H5File.open(truncated)
            // Some truncations still open; reading the lost data must then fail cleanly.
            _ = try file.dataset("x").read(as: Float.self)
            _ = try file.stringAttribute("about")
        } catch {
            caught = error
        }
        let error = try #require(caught as? HDF5Error)
        #expect(error.description.contains("truncated.h5"))
        try expectQuiet(truncated)
    }
}
