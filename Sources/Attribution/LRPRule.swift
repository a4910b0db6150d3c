/// A layer-wise relevance propagation rule for affine layers (Dense, Conv2D), stated as
/// sums of *terms* over modified inputs and parameters, as zennit's `BasicHook` does.
///
/// One mechanism serves every rule. For each group g and term t, the layer's affine map is
/// run with modified inputs xₜ and parameters ρₜ(W), ρₜ(b): zₜ = xₜ ⋆ ρₜ(W) + ρₜ(b). The
/// incoming relevance R (at the layer's output) is divided by the stabilised group sum,
/// sₙ = gateₙ · R / stab(Σₜ signₜ zₜ), propagated back with the layer's own transposed map,
/// cₜ = ρₜ(W)ᵀ sₙ, and multiplied by the term's input:
///
///     R_in = Σₙ coefficientₙ · Σₜ signₜ · xₜ ⊙ cₜ          (or Σ cₜ when the input is all ones)
///
/// The named rules (formulas for z_ij = x_i w_ij; Bach et al. 2015, "On pixel-wise
/// explanations by layer-wise relevance propagation", PLoS ONE; Montavon et al. 2017, "Explaining
/// nonlinear classification decisions with deep Taylor decomposition", Pattern Recognition;
/// Montavon et al. 2019, "Layer-wise relevance propagation: an overview"):
///
/// | rule | R_i = Σ_j … R_j | bias (zennit convention) |
/// |---|---|---|
/// | LRP-0 | x_i w_ij / z_j | b |
/// | LRP-ε | x_i w_ij / (z_j + ε·sign z_j) | b |
/// | z⁺ (= α1β0) | (x⁺w⁺ + x⁻w⁻)_ij / Σ_i (x⁺w⁺ + x⁻w⁻)_ij | b⁺ only |
/// | αβ | α (x⁺w⁺ + x⁻w⁻)/Σ(…) − β (x⁺w⁻ + x⁻w⁺)/Σ(…), α − β = 1 | b⁺ in the first, b⁻ in the second |
/// | γ (generalised) | for z_j > 0: (x⁺(w + γw⁺) + x⁻(w + γw⁻))/Σ(…); for z_j < 0 the mirror | b + γb⁺ / b + γb⁻ |
/// | z^B | (x_i w_ij − l_i w⁺_ij − h_i w⁻_ij) / Σ_i (…) for inputs in [l, h] | b |
/// | w² | w_ij² / Σ_i w_ij² (independent of x) | b² |
/// | flat | 1 / (number of inputs of j) (independent of x and w) | none |
///
/// Relevance values are in the units of the explained output (a logit); nothing is
/// renormalised.
public struct LRPRule: Sendable, Hashable, CustomStringConvertible {
    /// What a term feeds the layer instead of its input x.
    public enum InputModifier: Sendable, Hashable {
        case identity, positive, negative, ones
        /// A constant per input element, broadcast over the batch (z^B's bounds l and h).
        case constant(Float)
    }

    /// What a term uses instead of the weights W (the bias gets the same map, see ``BiasUse``).
    public enum ParameterModifier: Sendable, Hashable {
        case identity, positive, negative, square, ones
        /// w + γ·w⁺ (`positive: true`) or w + γ·w⁻.
        case gamma(Float, positive: Bool)

        @inlinable func callAsFunction(_ w: Float) -> Float {
            switch self {
            case .identity: return w
            case .positive: return max(w, 0)
            case .negative: return min(w, 0)
            case .square: return w * w
            case .ones: return 1
            case .gamma(let g, let positive): return w + g * (positive ? max(w, 0) : min(w, 0))
            }
        }
    }

    /// Whether a term carries the bias: mapped like the weights (`modified`: b⁺ beside
    /// w⁺, b + γb⁺ beside w + γw⁺), as it is (`raw`: Captum's rules change only the
    /// weights), or not at all.
    public enum BiasUse: Sendable, Hashable { case modified, raw, none }

    public struct Term: Sendable, Hashable {
        public var input: InputModifier
        public var parameters: ParameterModifier
        public var bias: BiasUse
        /// +1, or −1 for z^B's subtracted bound terms.
        public var sign: Float

        public init(input: InputModifier, parameters: ParameterModifier, bias: BiasUse, sign: Float = 1) {
            self.input = input
            self.parameters = parameters
            self.bias = bias
            self.sign = sign
        }
    }

    /// Which outputs a group's relevance reaches, by the sign of the unmodified z.
    public enum Gate: Sendable, Hashable { case all, positiveOutput, negativeOutput }

    public struct Group: Sendable, Hashable {
        public var terms: [Term]
        public var coefficient: Float
        public var gate: Gate

        public init(_ terms: [Term], coefficient: Float = 1, gate: Gate = .all) {
            self.terms = terms
            self.coefficient = coefficient
            self.gate = gate
        }
    }

    public var name: String
    public var groups: [Group]
    public var stabilizer: Stabilizer

    public init(name: String, groups: [Group], stabilizer: Stabilizer) {
        self.name = name
        self.groups = groups
        self.stabilizer = stabilizer
    }

    public var description: String { name }

    /// Whether the rule needs the unmodified z (γ's gates).
    package var needsPlainOutput: Bool { groups.contains { $0.gate != .all } }
}
