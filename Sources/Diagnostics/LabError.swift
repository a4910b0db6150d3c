/// Whose a failure is, which decides the exit code (README, "When things go wrong").
public enum FailureKind: Sendable, Equatable {
    /// Bad usage or bad input: an argument, a configuration key, a data, model, run or
    /// analysis file that is missing, of the wrong kind or damaged. Exit code 2.
    case input
    /// The run's or the machine's failure: training diverged, a disk full or read-only, a
    /// write refused, anything unexpected. Exit code 1.
    case runtime
}

/// An error of the lab. Its description says what failed and where (the file, the key
/// path, the layer) in one line; ``failure`` says whose failure it is, and so the exit code;
/// ``cause`` keeps the error underneath when this one reports another (as swift-nio's
/// errors keep theirs), so nothing is flattened to a string where its type matters.
///
/// Every error type of the lab conforms (a test reads the sources to check it), so the
/// command line maps errors by this protocol alone and a new type cannot fall through to
/// the wrong exit code.
public protocol LabError: Error, CustomStringConvertible, Sendable {
    var failure: FailureKind { get }
    /// The error this one reports, when there is one.
    var cause: (any Error)? { get }
}

extension LabError {
    public var cause: (any Error)? { nil }
}

/// Whether an error is the run's or the machine's failure rather than the input's: a
/// ``LabError`` of kind ``FailureKind/runtime``, or one whose cause is.
public func isRuntimeFailure(_ error: any Error) -> Bool {
    guard let error = error as? any LabError else { return false }
    return error.failure == .runtime || error.cause.map(isRuntimeFailure) == true
}
