#if canImport(Glibc)
import Diagnostics
import Glibc
#endif

/// A problem with what the user gave (a file, a key, an argument): exit code 2, unless
/// the error it reports is the machine's failure.
struct InputError: LabError {
    var description: String
    /// The error this one reports, kept with its type: a full disk or a read-only folder
    /// met while loading or planning is still the machine's failure (exit 1), and its
    /// words are said without Foundation's domain text (``ExitStatus/describe(_:)``).
    var cause: (any Error)?
    var failure: FailureKind { cause.map(ExitStatus.isMachineFailure) == true ? .runtime : .input }

    init(_ description: String) { self.description = description }

    init(wrapping error: any Error) {
        description = ExitStatus.describe(error)
        cause = error
    }
}

/// Writes one line to standard error.
func writeError(_ message: String) {
    let line = message.hasSuffix("\n") ? message : message + "\n"
    line.utf8CString.withUnsafeBufferPointer { buffer in
        _ = write(2, buffer.baseAddress, buffer.count - 1)
    }
}
