/// How a propagation rule keeps its denominator `z` away from zero.
///
/// The libraries users compare with differ here, so the convention is explicit:
///
/// | convention | stabilised z | used by |
/// |---|---|---|
/// | ``Mode/signShift`` | z + ε·sign(z), with sign(0) = +1 | zennit (ε = 1e-6), Captum (ε = 1e-9) |
/// | ``Mode/zerosOnly`` | z, or ε where z = 0 exactly | iNNvestigate's `SafeDivide` |
///
/// For the LRP-ε rule ε is a parameter of the rule itself (Bach et al. 2015): large ε
/// absorbs weak or contradictory relevance, so totals are not conserved.
public struct Stabilizer: Sendable, Hashable, CustomStringConvertible {
    public enum Mode: String, Sendable, Hashable { case signShift = "sign_shift", zerosOnly = "zeros_only" }
    public var epsilon: Float
    public var mode: Mode

    public init(epsilon: Float, mode: Mode = .signShift) {
        self.epsilon = epsilon
        self.mode = mode
    }

    /// zennit's default: z + 1e-6·sign(z).
    public static let zennit = Stabilizer(epsilon: 1e-6)
    /// Captum's `PropagationRule.STABILITY_FACTOR`: z + 1e-9·sign(z).
    public static let captum = Stabilizer(epsilon: 1e-9)
    /// iNNvestigate: only exact zeros are replaced (by 1e-7, Keras's epsilon).
    public static let innvestigate = Stabilizer(epsilon: 1e-7, mode: .zerosOnly)

    /// The stabilised denominator.
    @inlinable public func callAsFunction(_ z: Float) -> Float {
        switch mode {
        case .signShift: return z >= 0 ? z + epsilon : z - epsilon
        case .zerosOnly: return z == 0 ? epsilon : z
        }
    }

    public var description: String { "\(mode.rawValue)(\(epsilon))" }
}
