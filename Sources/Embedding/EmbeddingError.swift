import Diagnostics

/// A request an embedding cannot serve (too few points for the perplexity, a bad
/// parameter), in words a user can act on.
public struct EmbeddingError: LabError, Equatable {
    public var failure: FailureKind { .input }

    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
