import Foundation
import Testing
import TestSupport

/// The architecture's rules, checked on the source tree: Package.swift true to the
/// imports, the module boundaries, and tests that leave process-global state alone.
@Suite("Architecture")
struct ArchitectureTests {
    let root = TestSupport.root

    func sources(_ folder: String) throws -> [(path: String, text: String)] {
        let base = root.appendingPathComponent(folder)
        guard let enumerator = FileManager.default.enumerator(atPath: base.path) else { return [] }
        var files: [(String, String)] = []
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".swift") else { continue }
            let path = base.appendingPathComponent(relative).path
            files.append((path, try String(contentsOfFile: path, encoding: .utf8)))
        }
        return files
    }

    @Test func packageIsTrueToTheImports() throws {
        let result = try TestSupport.run("/usr/bin/python3", [root.appendingPathComponent("scripts/check-imports").path])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    @Test func moduleBoundaries() throws {
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("Sources/Lab").path))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("Sources/Explanations").path))
        for (path, text) in try sources("Sources/Information") {
            #expect(!text.contains("import HDF5") && !text.contains("import Recording"), "\(path) reaches for files")
        }
        // t-SNE and LRP live apart.
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("Sources/Embedding/TSNE.swift").path))
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("Sources/Attribution/LayerwiseRelevancePropagation.swift").path))
        // Commands stay thin.
        for (path, text) in try sources("Sources/infoplane") {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
            #expect(lines <= 160, "\(path) has \(lines) lines")
        }
        // Layer kinds are compared as values, never as strings (outside config parsing).
        for (path, text) in try sources("Sources") where !path.hasSuffix("Experiments/ExperimentConfig.swift") {
            for kind in ["dense", "conv2d", "maxpool2d", "avgpool2d", "flatten"] {
                #expect(!text.contains("kind == \"\(kind)\""), "\(path) compares a layer kind as a string")
            }
        }
    }

    @Test func noEscapeHatchesForConcurrency() throws {
        // Generated/ holds swift-protobuf's output for the ONNX schema: its messages keep
        // their fields in a private copy-on-write storage class, which it marks @unchecked
        // Sendable (every mutation copies), with an immutable shared default instance
        // marked nonisolated(unsafe); we never edit that file (scripts/generate-onnx-swift).
        for (path, text) in try sources("Sources") where !path.contains("/Generated/") {
            #expect(!text.contains("nonisolated(unsafe)"), "\(path)")
            if text.contains("@unchecked Sendable") {
                #expect(path.hasSuffix("Tensor/Parallel.swift"), "\(path) declares @unchecked Sendable")
            }
        }
    }

    @Test func testsLeaveProcessStateAlone() throws {
        // The names are assembled so that this file does not match its own search.
        let directoryChange = "changeCurrent" + "DirectoryPath", redirection = "dup" + "2("
        for (path, text) in try sources("Tests") {
            #expect(!text.contains(directoryChange), "\(path) changes the working directory")
            #expect(!text.contains(redirection), "\(path) redirects a file descriptor")
        }
    }
}
