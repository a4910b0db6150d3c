import Networks

/// Where an affine layer sits in its model, for a ``Composite`` to choose its rule.
public struct LayerPosition: Sendable, Hashable {
    /// The layer's index in the model.
    public var index: Int
    /// Its index among the affine (Dense, Conv2D) layers, and their number.
    public var affineIndex: Int
    public var affineCount: Int
    /// `.dense` or `.conv2d`.
    public var kind: LayerKind
    public var isFirst: Bool { affineIndex == 0 }

    public init(index: Int, affineIndex: Int, affineCount: Int, kind: LayerKind) {
        self.index = index
        self.affineIndex = affineIndex
        self.affineCount = affineCount
        self.kind = kind
    }
    public var isLast: Bool { affineIndex == affineCount - 1 }
}

/// Rules assigned to layers by their position and kind, separate from the model (zennit's
/// composites). Non-affine layers are fixed: activations pass relevance through, max
/// pooling sends it to the winner, average pooling redistributes it in proportion to the
/// inputs (zennit's `Norm`), flatten reshapes.
///
/// Presets (zennit 0.5's names and defaults: ε = 1e-6, stabiliser 1e-6, γ = 0.25; average
/// pooling's stabiliser follows the bias convention: 1e-9 with `captum`, Captum's
/// `STABILITY_FACTOR`, as its rules use):
///
/// | composite | first affine layer | Conv2D | Dense |
/// |---|---|---|---|
/// | `epsilonPlus` | — | z⁺ | ε |
/// | `epsilonPlusFlat` | flat | z⁺ | ε |
/// | `epsilonGammaBox` | z^B (when Conv2D) | γ | ε |
/// | `epsilonAlpha2Beta1` | — | α2β1 | ε |
/// | `epsilonAlpha2Beta1Flat` | flat | α2β1 | ε |
/// | `deepTaylor` | z^B with bounds, w² without | z⁺ | z⁺ |
/// | `uniform(r)` | r | r | r |
public struct Composite: Sendable {
    public var name: String
    public var rule: @Sendable (LayerPosition) -> LRPRule
    /// The stabiliser of average pooling's proportional rule.
    public var poolStabilizer: Stabilizer

    public init(name: String, poolStabilizer: Stabilizer = .zennit, rule: @escaping @Sendable (LayerPosition) -> LRPRule) {
        self.name = name
        self.rule = rule
        self.poolStabilizer = poolStabilizer
    }

    /// The rule of each layer of `model` (nil for layers that are not affine).
    public func rules(for model: Sequential) -> [LRPRule?] {
        let affineCount = model.layers.count { $0.kind.isAffine }
        var affineIndex = 0
        return model.layers.enumerated().map { index, layer in
            guard layer.kind.isAffine else { return nil }
            defer { affineIndex += 1 }
            return rule(LayerPosition(index: index, affineIndex: affineIndex, affineCount: affineCount, kind: layer.kind))
        }
    }

    /// The same rule for every affine layer (average pooling keeps its own stabiliser:
    /// an LRP-ε rule's large ε is not meant for it).
    public static func uniform(_ rule: LRPRule, poolStabilizer: Stabilizer = .zennit) -> Composite {
        Composite(name: rule.name, poolStabilizer: poolStabilizer) { _ in rule }
    }

    public static func epsilonPlus(epsilon: Float = 1e-6, bias: BiasConvention = .zennit) -> Composite {
        Composite(name: "epsilon_plus", poolStabilizer: bias.defaultStabilizer) { $0.kind == .conv2d ? .zPlus(bias: bias) : .epsilon(epsilon, bias: bias) }
    }

    public static func epsilonPlusFlat(epsilon: Float = 1e-6, bias: BiasConvention = .zennit) -> Composite {
        Composite(name: "epsilon_plus_flat", poolStabilizer: bias.defaultStabilizer) {
            $0.isFirst ? .flat() : $0.kind == .conv2d ? .zPlus(bias: bias) : .epsilon(epsilon, bias: bias)
        }
    }

    /// - Parameters: low, high: the input bounds (pixels: 0 and 1).
    public static func epsilonGammaBox(low: Float, high: Float, epsilon: Float = 1e-6, gamma: Float = 0.25, bias: BiasConvention = .zennit) -> Composite {
        Composite(name: "epsilon_gamma_box", poolStabilizer: bias.defaultStabilizer) {
            if $0.kind == .conv2d { return $0.isFirst ? .zBox(low: low, high: high, bias: bias) : .gamma(gamma, bias: bias) }
            return .epsilon(epsilon, bias: bias)
        }
    }

    public static func epsilonAlpha2Beta1(epsilon: Float = 1e-6, bias: BiasConvention = .zennit) -> Composite {
        Composite(name: "epsilon_alpha2_beta1", poolStabilizer: bias.defaultStabilizer) { $0.kind == .conv2d ? .alphaBeta(bias: bias) : .epsilon(epsilon, bias: bias) }
    }

    public static func epsilonAlpha2Beta1Flat(epsilon: Float = 1e-6, bias: BiasConvention = .zennit) -> Composite {
        Composite(name: "epsilon_alpha2_beta1_flat", poolStabilizer: bias.defaultStabilizer) {
            $0.isFirst ? .flat() : $0.kind == .conv2d ? .alphaBeta(bias: bias) : .epsilon(epsilon, bias: bias)
        }
    }

    /// Deep Taylor decomposition (Montavon et al. 2017): z^B at the first layer when the
    /// inputs are bounded (`bounds`), w² when they are not, z⁺ in every layer above.
    public static func deepTaylor(bounds: (low: Float, high: Float)?, bias: BiasConvention = .zennit) -> Composite {
        Composite(name: bounds == nil ? "deep_taylor_wsquare" : "deep_taylor_zbox", poolStabilizer: bias.defaultStabilizer) {
            guard $0.isFirst else { return .zPlus(bias: bias) }
            if let bounds { return .zBox(low: bounds.low, high: bounds.high, bias: bias) }
            return .wSquare(bias: bias)
        }
    }
}
