import Diagnostics

/// A request a feature visualisation cannot serve (no such layer or unit, a bad
/// parameter, an input of the wrong kind), in words a user can act on.
public struct FeatureVisualizationError: LabError, Equatable {
    public var failure: FailureKind { .input }

    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
