import Networks
import Tensor

/// The model-parameter randomisation test (Adebayo et al. 2018, "Sanity checks for
/// saliency maps", NeurIPS), cascading: starting from the output layer, each layer's
/// weights and bias in turn are replaced by Gaussian draws with the same standard
/// deviation as the trained weights (keeping their scale), the layers above staying
/// randomised, and the map is recomputed for the same target classes.
///
/// A method that explains the *model* must change: the Spearman rank correlation between
/// the trained model's map and the randomised ones should fall towards 0 as more layers
/// are randomised. A map that stays correlated reflects the input (an edge detector), not
/// the model. Both the signed and the absolute-value correlations are reported, as in
/// the paper.
public struct CascadingRandomization: Sendable {
    public var seed: UInt64
    public init(seed: UInt64 = 0) { self.seed = seed }

    /// One cascade step: the layers randomised so far (the last named is the lowest).
    public struct Step: Sendable {
        public var layer: String
        /// Per sample.
        public var spearman: [Double]
        public var spearmanAbsolute: [Double]
    }

    public func run(_ model: Sequential, inputs: Tensor, method: any AttributionMethod, target: Target) throws(ExplanationError) -> [Step] {
        let original = try method.attribute(model, inputs: inputs, target: target)
        let fixed = Target.classes(original.targets)
        var randomized = model
        var steps: [Step] = []
        let rng = SeededRNG(seed: seed).fork("cascading-randomization")
        for index in model.layers.indices.reversed() where !model.layers[index].parameters.isEmpty {
            var layer = randomized.layers[index]
            let weights = layer.parameters[0].scalars
            let mean = weights.reduce(0.0) { $0 + Double($1) } / Double(max(weights.count, 1))
            let std = (weights.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(max(weights.count, 1))).squareRoot()
            var stream = rng.fork(layer.name)
            layer.parameters = layer.parameters.map { p in
                Tensor(shape: p.shape, scalars: p.scalars.map { _ in Float(stream.normal() * std) })
            }
            randomized.layers[index] = layer
            let map = try method.attribute(randomized, inputs: inputs, target: fixed)
            var step = Step(layer: layer.name, spearman: [], spearmanAbsolute: [])
            for b in 0..<inputs.rows {
                let a = original.sample(b), r = map.sample(b)
                step.spearman.append(spearman(a, r))
                step.spearmanAbsolute.append(spearman(a.map(abs), r.map(abs)))
            }
            steps.append(step)
        }
        return steps
    }
}
