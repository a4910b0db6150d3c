/// What a layer is, as run files (`layers/<i>_<name>@kind`), reports and rule
/// assignments name it.
public enum LayerKind: String, Sendable, Codable, CaseIterable {
    case dense, conv2d, maxpool2d, avgpool2d, flatten, activation
    /// Merges of two or more inputs (``Add``, ``Concat``).
    case add, concat
    /// A layer recorded from another framework's training (the Python package's
    /// recorders) that the lab has no layer for: a normalisation, dropout, a user's own
    /// module. Run files name it; no executable model has one.
    case module

    /// Affine layers (their output is `W·x + b`): the ones LRP rules apply to.
    public var isAffine: Bool {
        switch self {
        case .dense, .conv2d: true
        case .maxpool2d, .avgpool2d, .flatten, .activation, .add, .concat, .module: false
        }
    }

    /// Merges take two or more inputs; every other kind one.
    public var isMerge: Bool {
        switch self {
        case .add, .concat: true
        case .dense, .conv2d, .maxpool2d, .avgpool2d, .flatten, .activation, .module: false
        }
    }

    /// Kinds a model description (a configuration, an import) can build; a `module` is
    /// only ever recorded.
    public var isBuildable: Bool {
        switch self {
        case .dense, .conv2d, .maxpool2d, .avgpool2d, .flatten, .activation, .add, .concat: true
        case .module: false
        }
    }
}
