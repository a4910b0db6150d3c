import Networks

/// Attribution methods by name, as the CLI and reports spell them.
///
/// | name | method |
/// |---|---|
/// | `gradient`, `saliency` | ∂f/∂x, \|∂f/∂x\| |
/// | `gradient_x_input` | x ⊙ ∂f/∂x |
/// | `guided_backprop`, `deconvnet` | modified ReLU backward passes |
/// | `smoothgrad` | 50 samples, noise 15% of the input range |
/// | `integrated_gradients` | 50 Gauss–Legendre steps from a zero baseline |
/// | `gradcam`, `gradcam:<layer>` | Grad-CAM at the last (or the named) Conv2D layer |
/// | `occlusion` | images: 4×4 windows, stride 2; flat inputs: one feature at a time |
/// | `lrp:<composite>` | `epsilon_plus`, `epsilon_plus_flat`, `epsilon_gamma_box`, `epsilon_alpha2_beta1`, `epsilon_alpha2_beta1_flat`, `deep_taylor` (z^B with the input bounds, w² without), or one rule everywhere: `lrp0`, `epsilon` (ε = 0.25), `zplus`, `alpha2beta1`, `gamma` (γ = 0.25), `flat` |
public enum AttributionCatalog {
    /// What a catalogue method needs to know about the data.
    public struct Context: Sendable {
        /// The input bounds (pixels: 0 and 1), or nil when the inputs are unbounded.
        public var bounds: (low: Float, high: Float)?
        public var bias: BiasConvention
        public var seed: UInt64
        public init(bounds: (low: Float, high: Float)?, bias: BiasConvention = .zennit, seed: UInt64 = 0) {
            self.bounds = bounds
            self.bias = bias
            self.seed = seed
        }
    }

    public static let composites = ["epsilon_plus", "epsilon_plus_flat", "epsilon_gamma_box", "epsilon_alpha2_beta1",
                                    "epsilon_alpha2_beta1_flat", "deep_taylor", "lrp0", "epsilon", "zplus", "alpha2beta1", "gamma", "flat"]
    public static let names = ["gradient", "saliency", "gradient_x_input", "guided_backprop", "deconvnet", "smoothgrad",
                               "integrated_gradients", "gradcam", "occlusion"] + composites.map { "lrp:\($0)" }

    /// The report's default methods for a model.
    public static func defaults(for model: Sequential) -> [String] {
        if model.inputShape.count == 3 {
            return ["gradient", "gradient_x_input", "guided_backprop", "smoothgrad", "integrated_gradients", "gradcam", "occlusion",
                    "lrp:epsilon_plus_flat", "lrp:epsilon_gamma_box", "lrp:deep_taylor"]
        }
        return ["gradient", "gradient_x_input", "smoothgrad", "integrated_gradients", "occlusion",
                "lrp:lrp0", "lrp:epsilon", "lrp:zplus", "lrp:deep_taylor"]
    }

    public static func method(_ name: String, model: Sequential, context: Context) throws(ExplanationError) -> any AttributionMethod {
        let bias = context.bias
        if name.hasPrefix("lrp:") {
            let composite: Composite
            switch String(name.dropFirst(4)) {
            case "epsilon_plus": composite = .epsilonPlus(bias: bias)
            case "epsilon_plus_flat": composite = .epsilonPlusFlat(bias: bias)
            case "epsilon_gamma_box":
                guard let b = context.bounds else { throw ExplanationError("\(name) needs bounded inputs (z^B); use lrp:epsilon_plus_flat") }
                composite = .epsilonGammaBox(low: b.low, high: b.high, bias: bias)
            case "epsilon_alpha2_beta1": composite = .epsilonAlpha2Beta1(bias: bias)
            case "epsilon_alpha2_beta1_flat": composite = .epsilonAlpha2Beta1Flat(bias: bias)
            case "deep_taylor": composite = .deepTaylor(bounds: context.bounds, bias: bias)
            case "lrp0": composite = .uniform(.zero(bias: bias))
            case "epsilon": composite = .uniform(.epsilon(0.25, bias: bias))
            case "zplus": composite = .uniform(.zPlus(bias: bias))
            case "alpha2beta1": composite = .uniform(.alphaBeta(bias: bias))
            case "gamma": composite = .uniform(.gamma(0.25, bias: bias))
            case "flat": composite = .uniform(.flat())
            default: throw ExplanationError("unknown LRP composite \(name.dropFirst(4)); known: \(composites.joined(separator: ", "))")
            }
            return LayerwiseRelevancePropagation(composite: composite)
        }
        switch name {
        case "gradient": return Gradient()
        case "saliency": return Gradient(absolute: true)
        case "gradient_x_input": return GradientTimesInput()
        case "guided_backprop": return ModifiedBackprop.guided
        case "deconvnet": return ModifiedBackprop.deconvnet
        case "smoothgrad": return SmoothGrad(seed: context.seed)
        case "integrated_gradients": return IntegratedGradients(baseline: context.bounds?.low ?? 0)
        case "occlusion":
            return model.inputShape.count == 3
                ? Occlusion(window: (4, 4), stride: (2, 2), baseline: context.bounds?.low ?? 0)
                : Occlusion(window: (1, 1), stride: (1, 1), baseline: context.bounds?.low ?? 0)
        default:
            if name == "gradcam" || name.hasPrefix("gradcam:") {
                let layer = name.hasPrefix("gradcam:") ? String(name.dropFirst(8))
                    : model.layers.last { $0.kind == .conv2d }?.name
                guard let layer else { throw ExplanationError("gradcam needs a Conv2D layer; the model has none") }
                return GradCAM(layer: layer)
            }
            throw ExplanationError("unknown method \(name); known: \(names.joined(separator: ", ")), gradcam:<layer>")
        }
    }
}
