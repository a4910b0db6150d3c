/// A request a feature visualisation cannot serve (no such layer or unit, a bad
/// parameter, an input of the wrong kind), in words a user can act on.
public struct FeatureVisualizationError: Error, CustomStringConvertible, Sendable, Equatable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
