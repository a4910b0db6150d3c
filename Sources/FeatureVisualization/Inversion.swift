import Networks
import RealModule
import Tensor

/// Representation inversion (Mahendran & Vedaldi 2015, "Understanding deep image
/// representations by inverting them", CVPR): find x whose representation at a layer
/// matches Φ₀ = Φ(x₀), by minimising
///
///     C ‖Φ(x) − Φ₀‖² / ‖Φ₀‖²  +  λ_α ‖x − m‖_α^α  +  λ_TV TV_β(x − m)
///
/// with TV_β(x) = Σ_{ij} ((x_{i,j+1} − x_ij)² + (x_{i+1,j} − x_ij)²)^{β/2}, m the middle of
/// the input range, and the authors' constants: α = 6, β = 2, λ_α = 1/(HW B^α),
/// λ_TV = 1/(HW V^β) with B the half range of the input (their "typical norm" for
/// mean-subtracted images) and V = B/6.5; C weighs the representation against the priors
/// (the authors pick it per layer from {1, 20, 100, 300}; default 100). Gradient descent
/// with momentum 0.9 on steps normalised to a mean size of `learningRate` × the input
/// range, divided by 10 for the last third. Several random starts show what the layer
/// does not determine.
public struct Inversion: Sendable {
    public var layer: Int
    public var alpha: Float = 6
    public var beta: Float = 2
    public var steps: Int
    public var learningRate: Float
    public var momentum: Float = 0.9
    /// C, the weight of the representation term.
    public var representationWeight: Float
    public var bounds: (low: Float, high: Float)
    public var seed: UInt64

    public init(layer: Int, steps: Int = 300, learningRate: Float = 0.01, representationWeight: Float = 100,
                bounds: (low: Float, high: Float) = (0, 1), seed: UInt64 = 0) {
        self.layer = layer
        self.representationWeight = representationWeight
        self.steps = steps
        self.learningRate = learningRate
        self.bounds = bounds
        self.seed = seed
    }

    public struct Result: Sendable {
        public var image: [Float]
        /// The loss before each step and after the last.
        public var loss: [Float]
        /// The representation error alone at the end, ‖Φ(x) − Φ₀‖²/‖Φ₀‖² (without C).
        public var representationError: Float
    }

    /// Inverts `target`'s representation (`[input...]` flattened) from `starts` random
    /// starting images.
    public func run(_ model: Sequential, target: [Float], starts: Int = 3) throws(FeatureVisualizationError) -> [Result] {
        guard model.layers.indices.contains(layer) else { throw FeatureVisualizationError("layer \(layer) is outside 0..<\(model.layers.count)") }
        guard starts >= 1, steps >= 1 else { throw FeatureVisualizationError("inversion needs starts ≥ 1 and steps ≥ 1 (got \(starts), \(steps))") }
        let shape = model.inputShape
        guard target.count == shape.reduce(1, *) else { throw FeatureVisualizationError("the target has \(target.count) values, the model's inputs \(shape.reduce(1, *))") }
        let (h, w, c) = shape.count == 3 ? (shape[0], shape[1], shape[2]) : (1, shape.reduce(1, *), 1)
        let phi0 = model.forward(Tensor(shape: [1] + shape, scalars: target))[layer].output.scalars
        let norm0 = max(phi0.reduce(0) { $0 + $1 * $1 }, 1e-12)
        let middle = (bounds.low + bounds.high) / 2, b = (bounds.high - bounds.low) / 2, v = b / 6.5
        let lambdaAlpha = 1 / (Float(h * w) * Float.pow(b, alpha)), lambdaTV = 1 / (Float(h * w) * Float.pow(v, beta))
        var results: [Result] = []
        for start in 0..<starts {
            var rng = SeededRNG(seed: seed).fork("inversion-\(start)")
            var x = (0..<(h * w * c)).map { _ in middle + 0.1 * b * rng.uniform(-1, 1) }
            var velocity = [Float](repeating: 0, count: x.count)
            var losses: [Float] = []
            var representation: Float = 0
            for step in 0...steps {
                let traces = model.forward(Tensor(shape: [1] + shape, scalars: x))
                let phi = traces[layer].output.scalars
                var seedValues = [Float](repeating: 0, count: phi.count)
                var data: Float = 0
                for i in phi.indices {
                    let d = phi[i] - phi0[i]
                    data += d * d
                    seedValues[i] = representationWeight * 2 * d / norm0
                }
                representation = data / norm0
                var gradient = model.gradient(traces: traces, seed: Tensor(shape: traces[layer].output.shape, scalars: seedValues), from: layer).scalars
                // α-norm prior.
                var prior: Float = 0
                for i in x.indices {
                    let u = x[i] - middle
                    prior += Float.pow(abs(u), alpha)
                    gradient[i] += lambdaAlpha * alpha * Float.pow(abs(u), alpha - 1) * (u < 0 ? -1 : 1)
                }
                // Total variation with exponent β (forward differences, per channel).
                var tv: Float = 0
                for y in 0..<h {
                    for xx in 0..<w {
                        for k in 0..<c {
                            let i = (y * w + xx) * c + k
                            let right = xx + 1 < w ? x[i + c] - x[i] : 0
                            let down = y + 1 < h ? x[i + w * c] - x[i] : 0
                            let s = right * right + down * down
                            guard s > 0 else { continue }
                            tv += Float.pow(s, beta / 2)
                            let factor = lambdaTV * beta * Float.pow(s, beta / 2 - 1)
                            gradient[i] -= factor * (right + down)
                            if xx + 1 < w { gradient[i + c] += factor * right }
                            if y + 1 < h { gradient[i + w * c] += factor * down }
                        }
                    }
                }
                losses.append(representationWeight * representation + lambdaAlpha * prior + lambdaTV * tv)
                guard step < steps else { break }
                let rate = (step < 2 * steps / 3 ? learningRate : learningRate / 10) * 2 * b
                let scale = max(gradient.reduce(0) { $0 + abs($1) } / Float(gradient.count), 1e-12)
                for i in x.indices {
                    velocity[i] = momentum * velocity[i] - rate * gradient[i] / scale
                    x[i] = min(max(x[i] + velocity[i], bounds.low), bounds.high)
                }
            }
            results.append(Result(image: x, loss: losses, representationError: representation))
        }
        return results
    }
}
