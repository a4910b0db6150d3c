import Foundation

/// A failed write to stdout (a full disk, a closed pipe): a runtime failure, exit 1.
struct StandardOutputError: Error, CustomStringConvertible {
    var reason: String
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
