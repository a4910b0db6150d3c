import Diagnostics
import Foundation

/// A failed write to stdout (a full disk, a closed pipe): a runtime failure, exit 1.
struct StandardOutputError: LabError {
    var reason: String
    var failure: FailureKind { .runtime }
    var description: String { "cannot write to standard output: \(reason)" }
}

/// Writes `text` to stdout unbuffered, reporting failure (`print` ignores it, so
/// `inspect --json > /dev/full` would exit 0 having written nothing).
func writeStandardOutput(_ text: String) throws {
    fflush(nil)
    do {
        try FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
    } catch {
        throw StandardOutputError(reason: "\(error.localizedDescription)")
    }
}

/// Writes `value` to stdout as the JSON every `--json` prints: snake_case keys, sorted,
/// indented, slashes unescaped; one style for all commands.
func writeJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try writeStandardOutput(String(decoding: try encoder.encode(value), as: UTF8.self) + "\n")
}

/// A number for JSON: `nil` (null) when not finite, since JSON has no NaN or infinity.
func finiteOrNil(_ x: Double) -> Double? { x.isFinite ? x : nil }
