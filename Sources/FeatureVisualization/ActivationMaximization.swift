import Networks
import Tensor

/// What a feature visualisation pushes up: a unit of a hidden layer or a class logit.
public enum FeatureObjective: Sendable, Hashable {
    /// Layer `layer`'s output, `channel` at (`row`, `column`) for a conv layer (nil: the
    /// channel's mean over positions), or unit `channel` of a Dense layer.
    case unit(layer: Int, channel: Int, row: Int?, column: Int?)
    /// The logit of a class (Simonyan et al. 2014 maximise the unnormalised score).
    case classScore(Int)

    /// The objective's value for one sample and the seed ∂objective/∂(layer output).
    package func seed(_ model: Sequential, traces: [LayerTrace]) throws(FeatureVisualizationError) -> (value: Float, layer: Int, seed: Tensor) {
        switch self {
        case .classScore(let c):
            guard (0..<model.outputSize).contains(c) else { throw FeatureVisualizationError("class \(c) is outside 0..<\(model.outputSize)") }
            let last = model.layers.count - 1
            var seed = Tensor(shape: traces[last].output.shape)
            seed.scalars[c] = 1
            return (traces[last].output.scalars[c], last, seed)
        case .unit(let layer, let channel, let row, let column):
            guard model.layers.indices.contains(layer) else { throw FeatureVisualizationError("layer \(layer) is outside 0..<\(model.layers.count)") }
            let shape = model.outputShapes[layer]
            let output = traces[layer].output
            var seed = Tensor(shape: output.shape)
            let channels = shape.last ?? 1
            guard (0..<channels).contains(channel) else { throw FeatureVisualizationError("\(model.layers[layer].name) has \(channels) channels; \(channel) is outside") }
            if shape.count == 3 {
                let (h, w) = (shape[0], shape[1])
                if let row, let column {
                    guard (0..<h).contains(row), (0..<w).contains(column) else {
                        throw FeatureVisualizationError("\(model.layers[layer].name) is \(h)×\(w); (\(row), \(column)) is outside")
                    }
                    let index = (row * w + column) * channels + channel
                    seed.scalars[index] = 1
                    return (output.scalars[index], layer, seed)
                }
                var sum: Float = 0
                for p in 0..<(h * w) {
                    seed.scalars[p * channels + channel] = 1 / Float(h * w)
                    sum += output.scalars[p * channels + channel]
                }
                return (sum / Float(h * w), layer, seed)
            }
            seed.scalars[channel] = 1
            return (output.scalars[channel], layer, seed)
        }
    }
}

/// Activation maximisation (Erhan et al. 2009; Simonyan et al. 2014, "Deep inside
/// convolutional networks"; Yosinski et al. 2015, "Understanding neural networks through
/// deep visualization"): gradient ascent on the input x for an objective a(x), with the
/// regularisers of Yosinski et al. applied after each step:
///
/// x ← clip(x + η ∇a / mean|∇a|)   (a normalised step of η in input units; jittered:
///     the gradient is taken at x rolled by a random offset of up to `jitter` pixels)
/// then, relative to the middle m of the input range: x ← m + (1 − decay)(x − m) (L2
/// decay); every `blurEvery` steps a Gaussian blur of width `blurRadius`; pixels whose
/// norm over channels ‖x − m‖ is in the lowest `smallNormPercentile` %, and pixels whose
/// contribution Σ_c (x − m)∇a is in the lowest `smallContributionPercentile` %, are set to
/// m; finally clipped to the input bounds.
public struct ActivationMaximization: Sendable {
    public struct Regularization: Sendable, Hashable {
        public var decay: Float = 0
        public var blurRadius: Float = 0
        public var blurEvery = 0
        public var smallNormPercentile: Float = 0
        public var smallContributionPercentile: Float = 0
        public var jitter = 0

        public init(decay: Float = 0, blurRadius: Float = 0, blurEvery: Int = 0, smallNormPercentile: Float = 0,
                    smallContributionPercentile: Float = 0, jitter: Int = 0) {
            self.decay = decay
            self.blurRadius = blurRadius
            self.blurEvery = blurEvery
            self.smallNormPercentile = smallNormPercentile
            self.smallContributionPercentile = smallContributionPercentile
            self.jitter = jitter
        }

        /// No regularisation (Simonyan et al.'s plain gradient ascent).
        public static let none = Regularization()
        /// The four hyperparameter combinations of Yosinski et al. 2015, Table 1
        /// (decay, blur width, blur every, norm percentile, contribution percentile).
        public static let yosinski1 = Regularization(decay: 0, blurRadius: 0.5, blurEvery: 4, smallNormPercentile: 50)
        public static let yosinski2 = Regularization(decay: 0.3, smallNormPercentile: 20)
        public static let yosinski3 = Regularization(decay: 0.0001, blurRadius: 1.0, blurEvery: 4)
        public static let yosinski4 = Regularization(decay: 0, blurRadius: 0.5, blurEvery: 4, smallContributionPercentile: 90)

        public static let presets: [String: Regularization] = [
            "none": .none, "yosinski1": .yosinski1, "yosinski2": .yosinski2, "yosinski3": .yosinski3, "yosinski4": .yosinski4,
        ]
    }

    public var objective: FeatureObjective
    public var regularization: Regularization
    public var steps: Int
    /// η: each step moves the input by this much on average (in input units).
    public var stepSize: Float
    public var bounds: (low: Float, high: Float)
    public var seed: UInt64

    public init(objective: FeatureObjective, regularization: Regularization = .yosinski3, steps: Int = 200, stepSize: Float = 0.01,
                bounds: (low: Float, high: Float) = (0, 1), seed: UInt64 = 0) {
        self.objective = objective
        self.regularization = regularization
        self.steps = steps
        self.stepSize = stepSize
        self.bounds = bounds
        self.seed = seed
    }

    public struct Result: Sendable {
        /// `[input...]` flattened.
        public var image: [Float]
        /// The objective before each step and after the last, `steps + 1` values.
        public var objective: [Float]
    }

    public func run(_ model: Sequential) throws(FeatureVisualizationError) -> Result {
        guard steps >= 1, stepSize > 0 else { throw FeatureVisualizationError("activation maximisation needs steps ≥ 1 and a positive step size") }
        let shape = model.inputShape
        let (h, w, c) = shape.count == 3 ? (shape[0], shape[1], shape[2]) : (1, shape.reduce(1, *), 1)
        let middle = (bounds.low + bounds.high) / 2, range = bounds.high - bounds.low
        var rng = SeededRNG(seed: seed).fork("activation-maximization")
        var x = (0..<(h * w * c)).map { _ in middle + 0.05 * range * rng.uniform(-1, 1) }
        var trace: [Float] = []
        let r = regularization
        for step in 0...steps {
            let dy = r.jitter > 0 ? Int(rng.next() % UInt64(2 * r.jitter + 1)) - r.jitter : 0
            let dx = r.jitter > 0 ? Int(rng.next() % UInt64(2 * r.jitter + 1)) - r.jitter : 0
            let shifted = r.jitter > 0 ? ImageFilters.roll(x, height: h, width: w, channels: c, dy: dy, dx: dx) : x
            let traces = model.forward(Tensor(shape: [1] + shape, scalars: shifted))
            let (value, layer, seedTensor) = try objective.seed(model, traces: traces)
            if r.jitter == 0 || step == steps {
                trace.append(value)
            } else {
                trace.append(try objective.seed(model, traces: model.forward(Tensor(shape: [1] + shape, scalars: x))).value)
            }
            guard step < steps else { break }
            var g = model.gradient(traces: traces, seed: seedTensor, from: layer).scalars
            if r.jitter > 0 { g = ImageFilters.roll(g, height: h, width: w, channels: c, dy: -dy, dx: -dx) }
            let scale = g.reduce(0) { $0 + abs($1) } / Float(g.count)
            guard scale > 0 else { break }
            for i in x.indices { x[i] += stepSize * g[i] / scale }
            if r.decay > 0 { for i in x.indices { x[i] = middle + (1 - r.decay) * (x[i] - middle) } }
            if r.blurEvery > 0, r.blurRadius > 0, step % r.blurEvery == 0 {
                x = ImageFilters.gaussianBlur(x, height: h, width: w, channels: c, sigma: r.blurRadius)
            }
            if r.smallNormPercentile > 0 {
                let norms = (0..<(h * w)).map { p in (0..<c).reduce(Float(0)) { $0 + (x[p * c + $1] - middle) * (x[p * c + $1] - middle) }.squareRoot() }
                let cut = ImageFilters.percentile(norms, r.smallNormPercentile)
                for p in 0..<(h * w) where norms[p] < cut { for k in 0..<c { x[p * c + k] = middle } }
            }
            if r.smallContributionPercentile > 0 {
                let contributions = (0..<(h * w)).map { p in abs((0..<c).reduce(Float(0)) { $0 + (x[p * c + $1] - middle) * g[p * c + $1] }) }
                let cut = ImageFilters.percentile(contributions, r.smallContributionPercentile)
                for p in 0..<(h * w) where contributions[p] < cut { for k in 0..<c { x[p * c + k] = middle } }
            }
            for i in x.indices { x[i] = min(max(x[i], bounds.low), bounds.high) }
        }
        return Result(image: x, objective: trace)
    }
}
