import Networks
import Tensor

/// A way to attribute a class score to input elements.
public protocol AttributionMethod: Sendable {
    /// A short name used in reports and files, e.g. `gradient`, `lrp:epsilon_plus`.
    var name: String { get }
    /// The attribution of each sample's target logit, `[batch, inputShape...]`.
    func attribute(_ model: Sequential, inputs: Tensor, target: Target) throws(ExplanationError) -> Attribution
}

extension LayerwiseRelevancePropagation: AttributionMethod {
    public var name: String { "lrp:\(composite.name)" }
    public func attribute(_ model: Sequential, inputs: Tensor, target: Target) throws(ExplanationError) -> Attribution {
        try explain(model, inputs: inputs, target: target)
    }
}
