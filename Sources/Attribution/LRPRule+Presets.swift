/// Where a rule puts the layer's bias, following the library a user wants to reproduce.
///
/// | convention | LRP-0/ε | z⁺ | αβ, γ | z^B | w² |
/// |---|---|---|---|---|---|
/// | `zennit` (default) | b | b⁺ in the x⁺w⁺ term only | b⁺ (b⁻) in the first term of each group | b, b⁺, b⁻ in the three terms (they cancel) | b² |
/// | `captum` | b | x·w⁺ + b on the unsplit input (the raw bias) | γ: x·(w + γw⁺) + b on the unsplit input (the raw bias) | — | — |
/// | `innvestigate` | b | none (x⁺w⁺ only) | none | none | none |
/// | `zero` | none | none | none | none | none |
///
/// With `zero`, LRP-0 conserves relevance exactly (up to the stabiliser); with a bias,
/// the bias absorbs (or injects) its share.
public enum BiasConvention: String, Sendable, Hashable, CaseIterable {
    case zennit, captum, innvestigate, zero

    /// The stabiliser the library uses when none is given.
    public var defaultStabilizer: Stabilizer {
        switch self {
        case .zennit, .zero: return .zennit
        case .captum: return .captum
        case .innvestigate: return .innvestigate
        }
    }
}

extension LRPRule {
    private static func bias(_ use: LRPRule.BiasUse, _ convention: BiasConvention, keptBy kept: Set<BiasConvention> = [.zennit, .captum, .innvestigate]) -> LRPRule.BiasUse {
        kept.contains(convention) ? use : .none
    }

    /// LRP-0: R_i = Σ_j x_i w_ij / z_j · R_j (ε only as a stabiliser). On ReLU networks
    /// with the same stabiliser this equals gradient × input.
    public static func zero(bias convention: BiasConvention = .zennit, stabilizer: Stabilizer? = nil) -> LRPRule {
        var rule = epsilon(0, bias: convention, stabilizer: stabilizer)
        rule.name = "lrp0"
        return rule
    }

    /// LRP-ε (Bach et al. 2015): z_j + ε·sign(z_j) in the denominator. `epsilon` 0 uses
    /// the stabiliser's ε.
    public static func epsilon(_ epsilon: Float = 1e-6, bias convention: BiasConvention = .zennit, stabilizer: Stabilizer? = nil) -> LRPRule {
        var stab = stabilizer ?? convention.defaultStabilizer
        if epsilon > 0 { stab.epsilon = epsilon }
        return LRPRule(name: "epsilon(\(epsilon))", groups: [
            Group([Term(input: .identity, parameters: .identity, bias: bias(.modified, convention))]),
        ], stabilizer: stab)
    }

    /// z⁺ (Montavon et al. 2017), α1β0 with negative inputs allowed (zennit's `ZPlus`).
    public static func zPlus(bias convention: BiasConvention = .zennit, stabilizer: Stabilizer? = nil) -> LRPRule {
        let stab = stabilizer ?? convention.defaultStabilizer
        switch convention {
        case .captum:
            // Captum's Alpha1_Beta0_Rule clamps the weights and leaves the bias as it is.
            return LRPRule(name: "zplus", groups: [Group([Term(input: .identity, parameters: .positive, bias: .raw)])], stabilizer: stab)
        case .innvestigate:
            return LRPRule(name: "zplus", groups: [Group([Term(input: .positive, parameters: .positive, bias: .none)])], stabilizer: stab)
        case .zennit, .zero:
            return LRPRule(name: "zplus", groups: [Group([
                Term(input: .positive, parameters: .positive, bias: bias(.modified, convention)),
                Term(input: .negative, parameters: .negative, bias: .none),
            ])], stabilizer: stab)
        }
    }

    /// αβ (Bach et al. 2015), α − β = 1: α times the z⁺ share minus β times the share of
    /// the negative contributions x⁺w⁻ + x⁻w⁺.
    public static func alphaBeta(alpha: Float = 2, beta: Float = 1, bias convention: BiasConvention = .zennit, stabilizer: Stabilizer? = nil) -> LRPRule {
        let stab = stabilizer ?? convention.defaultStabilizer
        let keep = bias(.modified, convention, keptBy: [.zennit, .captum])
        return LRPRule(name: "alpha\(Self.format(alpha))beta\(Self.format(beta))", groups: [
            Group([Term(input: .positive, parameters: .positive, bias: keep), Term(input: .negative, parameters: .negative, bias: .none)],
                  coefficient: alpha),
            Group([Term(input: .positive, parameters: .negative, bias: keep), Term(input: .negative, parameters: .positive, bias: .none)],
                  coefficient: -beta),
        ], stabilizer: stab)
    }

    /// γ (Montavon et al. 2019), generalised to negative inputs as zennit's `Gamma`
    /// (Andéol et al. 2021): positive outputs take (x⁺(w + γw⁺) + x⁻(w + γw⁻)), negative
    /// outputs the mirror.
    public static func gamma(_ gamma: Float = 0.25, bias convention: BiasConvention = .zennit, stabilizer: Stabilizer? = nil) -> LRPRule {
        let stab = stabilizer ?? convention.defaultStabilizer
        let name = "gamma(\(Self.format(gamma)))"
        if convention == .captum {
            // Captum's GammaRule adds γw⁺ to the weights and leaves the bias as it is.
            return LRPRule(name: name, groups: [Group([Term(input: .identity, parameters: .gamma(gamma, positive: true), bias: .raw)])],
                           stabilizer: stab)
        }
        let keep = bias(.modified, convention, keptBy: [.zennit])
        return LRPRule(name: name, groups: [
            Group([Term(input: .positive, parameters: .gamma(gamma, positive: true), bias: keep),
                   Term(input: .negative, parameters: .gamma(gamma, positive: false), bias: .none)], gate: .positiveOutput),
            Group([Term(input: .positive, parameters: .gamma(gamma, positive: false), bias: keep),
                   Term(input: .negative, parameters: .gamma(gamma, positive: true), bias: .none)], gate: .negativeOutput),
        ], stabilizer: stab)
    }

    /// z^B (Montavon et al. 2017) for inputs bounded by `low` ≤ x ≤ `high` (pixels):
    /// R_i = Σ_j (x_i w_ij − l w⁺_ij − h w⁻_ij) / Σ_i (…) · R_j.
    public static func zBox(low: Float, high: Float, bias convention: BiasConvention = .zennit, stabilizer: Stabilizer? = nil) -> LRPRule {
        let keep = bias(.modified, convention, keptBy: [.zennit, .captum])
        return LRPRule(name: "zbox(\(Self.format(low)),\(Self.format(high)))", groups: [Group([
            Term(input: .identity, parameters: .identity, bias: keep),
            Term(input: .constant(low), parameters: .positive, bias: keep, sign: -1),
            Term(input: .constant(high), parameters: .negative, bias: keep, sign: -1),
        ])], stabilizer: stabilizer ?? convention.defaultStabilizer)
    }

    /// w² (Montavon et al. 2017) for unbounded inputs: R_i = Σ_j w_ij² / Σ_i w_ij² · R_j.
    public static func wSquare(bias convention: BiasConvention = .zennit, stabilizer: Stabilizer? = nil) -> LRPRule {
        LRPRule(name: "wsquare", groups: [Group([
            Term(input: .ones, parameters: .square, bias: bias(.modified, convention, keptBy: [.zennit, .captum])),
        ])], stabilizer: stabilizer ?? convention.defaultStabilizer)
    }

    /// Flat (Lapuschkin et al. 2019): relevance spread uniformly over each output's
    /// receptive field.
    public static func flat(stabilizer: Stabilizer = .zennit) -> LRPRule {
        LRPRule(name: "flat", groups: [Group([Term(input: .ones, parameters: .ones, bias: .none)])], stabilizer: stabilizer)
    }

    /// `value` as a rule's name shows it: integers without a decimal point (`zbox(0,1)`);
    /// anything else, including non-finite and huge bounds, as Swift prints it.
    package static func format(_ value: Float) -> String {
        value.isFinite && abs(value) < 1e15 && value == value.rounded() ? String(Int(value)) : String(value)
    }
}
