import Diagnostics

/// A problem with an input data file: which file, and what is wrong with it.
public struct DatasetError: LabError, Equatable {
    public var failure: FailureKind { .input }

    public enum Kind: Sendable, Equatable {
        /// The file does not exist or cannot be read.
        case unreadable
        /// The bytes do not follow the format (wrong magic, truncated, bad sizes).
        case malformed
        /// A valid file uses a feature this reader does not handle (e.g. a sparse array).
        case unsupported
        /// The contents disagree with each other or with the request (label count ≠
        /// sample count, label out of range, missing variable).
        case inconsistent
    }

    public var kind: Kind
    /// The file at fault.
    public var file: String
    /// What is wrong, in words a user can act on.
    public var reason: String

    public init(_ kind: Kind, file: String, _ reason: String) {
        self.kind = kind
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(reason)" }
}
