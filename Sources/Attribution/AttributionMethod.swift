import Networks
import Tensor

/// A way to attribute a class score to input elements.
public protocol AttributionMethod: Sendable {
    /// A short name used in reports and files, e.g. `gradient`, `lrp:epsilon_plus`.
    var name: String { get }
    /// What the map's values are: whether Σ map is compared with the explained logit and
    /// maps share a sample's common scale.
    var units: AttributionUnits { get }
    /// The attribution of each sample's target logit, `[batch, inputShape...]`.
    func attribute(_ model: Sequential, inputs: Tensor, target: Target) throws(ExplanationError) -> Attribution
    /// Why Σ map can differ from the explained logit for this method on `model`, in words
    /// (the report prints them beside the conservation table).
    func conservationReasons(model: Sequential, bias: BiasConvention) -> [String]
}

/// What an attribution map's values are.
public enum AttributionUnits: Sendable, Hashable {
    /// A decomposition of the logit, in its units: Σ map is compared with it (LRP,
    /// gradient × input, Integrated Gradients).
    case logit
    /// Logit per unit of input (gradients, guided backprop, SmoothGrad, saliency).
    case logitPerInput
    /// A score of the method's own (occlusion's drops, Grad-CAM's weighted maps).
    case score

    /// The reason for a method whose maps do not decompose the logit.
    public static func notADecomposition(_ name: String) -> [String] {
        ["\(name) is not a decomposition of the logit: its sum is not expected to equal it"]
    }
}

extension LayerwiseRelevancePropagation: AttributionMethod {
    public var name: String { "lrp:\(composite.name)" }
    public var units: AttributionUnits { .logit }

    public func conservationReasons(model: Sequential, bias: BiasConvention) -> [String] {
        var reasons: [String] = []
        let hasBias = model.layers.contains { !$0.parameters.isEmpty && $0.parameters[1].scalars.contains { $0 != 0 } }
        if hasBias && bias != .zero { reasons.append("the layers have biases, which absorb or inject relevance (bias convention: \(bias.rawValue))") }
        let rules = composite.rules(for: model).compactMap { $0 }
        if let epsilon = rules.first(where: { $0.name.hasPrefix("epsilon(") && $0.stabilizer.epsilon > 1e-4 }) {
            reasons.append("LRP-ε absorbs relevance of weak or contradictory outputs (ε = \(epsilon.stabilizer.epsilon))")
        }
        if rules.contains(where: { $0.name.hasPrefix("alpha") }) { reasons.append("αβ does not conserve on neurons whose contributions are all of one sign") }
        if reasons.isEmpty { reasons.append("none: without biases these rules conserve relevance up to the stabiliser") }
        return reasons
    }
    public func attribute(_ model: Sequential, inputs: Tensor, target: Target) throws(ExplanationError) -> Attribution {
        try explain(model, inputs: inputs, target: target)
    }
}
