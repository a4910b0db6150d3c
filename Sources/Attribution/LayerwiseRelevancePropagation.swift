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
/// | add (residual sum) | R_k = x_k R / stab(Σ x) (zennit's `Norm` on its canonizer's `Sum`) |
/// | concat | each input keeps its channels' relevance |
///
/// On a graph, relevance is carried back through every branch and summed where an
/// output feeds several layers (``Sequential/propagateBack(from:seed:stoppingAt:_:)``).
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
        let seed = Sequential.oneHot(targets, classes: model.outputSize, values: explained)
        let rules = composite.rules(for: model)
        // totals[0]: at the input; totals[k + 1]: at layer k's output (all it received).
        var totals = [[Double]](repeating: [Double](repeating: 0, count: inputs.rows), count: model.layers.count + 1)
        let relevance = try model.propagateBack(from: model.layers.count - 1, seed: seed) { (index, relevance) throws(ExplanationError) -> [Tensor] in
            let layer = model.layers[index], trace = traces[index]
            totals[index + 1] = Attribution.rowTotals(relevance)
            // One decision per kind, exhaustive: a new kind must be given its rule here,
            // and no layer's gradient is ever passed off as relevance.
            switch layer.spec {
            case .dense, .conv2d:
                guard let affine = layer as? any AffineLayer, let rule = rules[index] else {
                    throw ExplanationError(node: layer.name, "a \(layer.kind.rawValue) layer without an LRP rule in the composite \(composite.name)")
                }
                return [rule.propagate(relevance, through: affine, input: trace.input)]
            case .avgpool2d:
                return [Self.proportional(relevance, through: layer, trace: trace, stabilizer: composite.poolStabilizer)]
            case .maxpool2d:
                // Winner takes all: max pooling's backward pass routes each output's
                // relevance to its window's maximum, which is the rule.
                return [try Self.passed(relevance, through: layer, trace: trace)]
            case .flatten:
                return [relevance.reshaped(trace.input.shape)]
            case .activation:
                // Relevance passes element-wise activations unchanged.
                return [relevance]
            case .add:
                return Self.sumRule(relevance, trace: trace, stabilizer: composite.poolStabilizer)
            case .concat:
                // Each input keeps the relevance of its own channels.
                return layer.backward(toInputs: relevance, trace: trace)
            }
        }
        totals[0] = Attribution.rowTotals(relevance)
        return Attribution(method: "lrp:\(composite.name)", map: relevance, targets: targets, explained: explained, layerTotals: totals)
    }

    /// A residual sum y = Σ_k x_k: each input gets relevance in proportion to its share,
    /// R_k = x_k ⊙ R / stab(y) — zennit's `Norm` rule on the `Sum` module its ResNet
    /// canonizer puts in place of a residual `+` (Anders et al. 2021, "Software for
    /// dataset-wide XAI: from local explanations to global insights with Zennit, CoRelAy,
    /// and ViRelAy"), with the composite's stabiliser (zennit: y + 1e-6·sign(y)).
    /// Conservative up to the stabiliser: Σ_k R_k = R ⊙ y / stab(y).
    package static func sumRule(_ relevance: Tensor, trace: LayerTrace, stabilizer: Stabilizer) -> [Tensor] {
        let s = zip(relevance.scalars, trace.output.scalars).map { $0 / stabilizer($1) }
        return trace.inputs.map { x in Tensor(shape: x.shape, scalars: zip(x.scalars, s).map(*)) }
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
