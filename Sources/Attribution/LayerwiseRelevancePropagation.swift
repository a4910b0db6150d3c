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
    /// - Throws: ``ExplanationError`` naming the node when a layer has no rule (never the
    ///   gradient in its place).
    public func explain(_ model: Sequential, inputs: Tensor, target: Target = .predicted) throws(ExplanationError) -> Attribution {
        let (traces, targets, logits) = try model.resolvedForward(inputs, target)
        let explained = Sequential.pick(logits, targets)
        var relevance = Sequential.oneHot(targets, classes: model.outputSize, values: explained)
        let rules = composite.rules(for: model)
        var totals: [[Double]] = [Attribution.rowTotals(relevance)]
        for index in model.layers.indices.reversed() {
            let layer = model.layers[index], trace = traces[index]
            // One decision per kind, exhaustive: a new kind must be given its rule here,
            // and no layer's gradient is ever passed off as relevance.
            switch layer.spec {
            case .dense, .conv2d:
                guard let affine = layer as? any AffineLayer, let rule = rules[index] else {
                    throw ExplanationError(node: layer.name, "a \(layer.kind.rawValue) layer without an LRP rule in the composite \(composite.name)")
                }
                relevance = rule.propagate(relevance, through: affine, input: trace.input)
            case .avgpool2d:
                relevance = Self.proportional(relevance, through: layer, trace: trace, stabilizer: composite.poolStabilizer)
            case .maxpool2d:
                // Winner takes all: max pooling's backward pass routes each output's
                // relevance to its window's maximum, which is the rule.
                relevance = try Self.passed(relevance, through: layer, trace: trace)
            case .flatten:
                relevance = relevance.reshaped(trace.input.shape)
            case .activation:
                // Relevance passes element-wise activations unchanged.
                break
            }
            totals.insert(Attribution.rowTotals(relevance), at: 0)
        }
        return Attribution(method: "lrp:\(composite.name)", map: relevance, targets: targets, explained: explained, layerTotals: totals)
    }

    /// z-rule through average pooling: R_in = x ⊙ poolᵀ(R / stab(pool(x))).
    package static func proportional(_ relevance: Tensor, through pool: any Layer, trace: LayerTrace, stabilizer: Stabilizer) -> Tensor {
        let s = Tensor(shape: relevance.shape, scalars: zip(relevance.scalars, trace.output.scalars).map { $0 / stabilizer($1) })
        guard let c = pool.backward(s, trace: trace, needsInputGradient: true).input else { return relevance }
        return Tensor(shape: trace.input.shape, scalars: zip(trace.input.scalars, c.scalars).map(*))
    }

    /// Relevance routed by the layer's own backward pass (max pooling: winner takes all).
    private static func passed(_ relevance: Tensor, through layer: any Layer, trace: LayerTrace) throws(ExplanationError) -> Tensor {
        guard let routed = layer.backward(relevance, trace: trace, needsInputGradient: true).input else {
            throw ExplanationError(node: layer.name, "the layer gave no relevance at its input")
        }
        return routed
    }
}
