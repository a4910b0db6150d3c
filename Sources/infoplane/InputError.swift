#if canImport(Glibc)
import Glibc
#endif

/// A problem with what the user gave (a file, a key, an argument): exit code 2.
struct InputError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Writes one line to standard error.
func writeError(_ message: String) {
    let line = message.hasSuffix("\n") ? message : message + "\n"
    line.utf8CString.withUnsafeBufferPointer { buffer in
        _ = write(2, buffer.baseAddress, buffer.count - 1)
    }
}
