import Foundation
import Testing
import TestSupport

/// The one map from errors to exit codes, read from the sources: every error type the lab
/// declares conforms to `LabError` (so `ExitStatus` maps it by its `failure`), and the
/// map itself is the protocol's, not a list of types.
@Suite("Exit status")
struct ExitStatusTests {
    let root = TestSupport.root

    /// `struct`/`enum`/`class` declarations whose conformance list names `Error`.
    @Test func everyErrorTypeIsALabError() throws {
        let base = root.appendingPathComponent("Sources")
        let enumerator = try #require(FileManager.default.enumerator(atPath: base.path))
        var declared: [String] = []
        var offenders: [String] = []
        let pattern = try NSRegularExpression(pattern: #"^\s*(?:public |package |private |fileprivate |internal )?(?:final )?(?:struct|enum|class) (\w+)\s*:\s*([^{]+)\{"#,
                                              options: [.anchorsMatchLines])
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".swift"), !relative.contains("Generated/") else { continue }
            let text = try String(contentsOf: base.appendingPathComponent(relative), encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let name = String(text[Range(match.range(at: 1), in: text)!])
                let conformances = text[Range(match.range(at: 2), in: text)!].split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                guard conformances.contains(where: { $0 == "Error" || $0 == "LabError" }) else { continue }
                declared.append(name)
                if !conformances.contains("LabError") { offenders.append("\(relative): \(name)") }
            }
        }
        #expect(declared.count >= 18, "found \(declared)")
        #expect(offenders.isEmpty, "error types that are not LabError (their exit code would be guessed): \(offenders)")
    }

    /// ExitStatus maps by the protocol: no list of error types to keep up to date.
    @Test func theMapIsTheProtocols() throws {
        let text = try String(contentsOf: root.appendingPathComponent("Sources/infoplane/ExitStatus.swift"), encoding: .utf8)
        let code = try #require(text.range(of: "static func code(for error: any Error) -> Int32 {"))
        let body = text[code.upperBound...].prefix(600)
        #expect(body.contains("case let error as any LabError:"))
        for type in ["ConfigError", "DatasetError", "RunFileError", "HDF5Error", "FileSystemError", "TrainingDiverged"] {
            #expect(!body.contains("is \(type)") && !body.contains("as \(type)"), "\(type) named in the map")
        }
    }
}
