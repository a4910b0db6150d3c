import Networks
import Tensor

/// Layer-wise relevance propagation (Bach et al. 2015) through a ``Sequential`` model,
/// with the rules of a ``Composite``.
///
/// The explained output's relevance starts as its logit, R = e_target · logit (so the map
/// of a conservative rule sums to the logit), and is propagated layer by layer:
///
/// | layer | relevance at its input |
/// |---|---|
/// | Dense, Conv2D | the composite's ``LRPRule`` (the activation passes relevance unchanged) |
/// | activation | unchanged |
/// | max pooling | all to the window's maximum (winner takes all; ties to the first) |
/// | average pooling | R_i = x_i Σ_j (1/k) R_j / stab(z_j), z_j the window mean (zennit's `Norm`) |
/// | flatten | reshaped |
///
/// Every layer's total is kept (``Attribution/layerTotals``), so conservation can be
/// checked per layer.
public struct LayerwiseRelevancePropagation: Sendable {
    public var composite: Composite

    public init(composite: Composite) {
        self.composite = composite
    }

    /// - Parameters:
    ///   - inputs: `[batch, inputShape...]`.
    ///   - target: the explained class per sample.
    /// - Complexity: a forward pass plus, per affine layer, two GEMMs per rule term.
    public func explain(_ model: Sequential, inputs: Tensor, target: Target = .predicted) throws(ExplanationError) -> Attribution {
        let (traces, targets, logits) = try model.resolvedForward(inputs, target)
        let explained = Sequential.pick(logits, targets)
        var relevance = Sequential.oneHot(targets, classes: model.outputSize, values: explained)
        let rules = composite.rules(for: model)
        var totals: [[Double]] = [Attribution.rowTotals(relevance)]
        for index in model.layers.indices.reversed() {
            let layer = model.layers[index], trace = traces[index]
            if let affine = layer as? any AffineLayer, let rule = rules[index] {
                relevance = rule.propagate(relevance, through: affine, input: trace.input)
            } else if let pool = layer as? AvgPool2D {
                relevance = Self.proportional(relevance, through: pool, trace: trace, stabilizer: composite.poolStabilizer)
            } else if layer is ActivationLayer {
                // Relevance passes element-wise activations unchanged.
            } else {
                // Max pooling (winner takes all) and flatten: the layer's own backward pass.
                relevance = layer.backward(relevance, trace: trace, needsInputGradient: true).input ?? relevance
            }
            totals.insert(Attribution.rowTotals(relevance), at: 0)
        }
        return Attribution(method: "lrp:\(composite.name)", map: relevance, targets: targets, explained: explained, layerTotals: totals)
    }

    /// z-rule through average pooling: R_in = x ⊙ poolᵀ(R / stab(pool(x))).
    package static func proportional(_ relevance: Tensor, through pool: AvgPool2D, trace: LayerTrace, stabilizer: Stabilizer) -> Tensor {
        let s = Tensor(shape: relevance.shape, scalars: zip(relevance.scalars, trace.output.scalars).map { $0 / stabilizer($1) })
        guard let c = pool.backward(s, trace: trace, needsInputGradient: true).input else { return relevance }
        return Tensor(shape: trace.input.shape, scalars: zip(trace.input.scalars, c.scalars).map(*))
    }
}
