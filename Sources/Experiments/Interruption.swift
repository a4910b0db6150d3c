import CProcess
import Diagnostics
import Glibc
#if canImport(Glibc)
import Networks
#endif

/// SIGINT and SIGTERM during training (Ctrl-C; a cluster scheduler at its time limit):
/// the first one lets every run finish the epoch it is in, commit its row and close its
/// file readable, then stop with the resume command printed (exit 130 or 143); a second
/// one ends the process at once (the default action, restored by the first).
package enum Interruption {
    /// Installs the handlers (idempotent). Only commands that train install them.
    package static func install() { ip_interruption_install() }

    /// The signal received so far, if any.
    package static var signal: Int32? {
        let value = ip_interruption_signal()
        return value == 0 ? nil : value
    }

    /// The exit code for `signal`: 128 + its number (130 for SIGINT, 143 for SIGTERM).
    package static func exitCode(_ signal: Int32) -> Int32 { 128 + signal }

    /// The signal's name.
    package static func name(_ signal: Int32) -> String { signal == SIGTERM ? "SIGTERM" : signal == SIGINT ? "SIGINT" : "signal \(signal)" }
}

/// Stops training after the epoch in which a signal arrived (its row is committed first:
/// this observer comes after the recorder).
/// Not a failure of the input: a runtime end (the command exits 128 + the signal).
package struct Interrupted: LabError {
    package var signal: Int32
    package var failure: FailureKind { .runtime }
    package var description: String { "interrupted by \(Interruption.name(signal))" }
}

package final class InterruptionObserver: TrainingObserver {
    package init() {}
    package func didEvaluate(_ event: EvaluationEvent) throws {
        if let signal = Interruption.signal { throw Interrupted(signal: signal) }
    }
}
