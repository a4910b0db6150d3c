import Networks
import RealModule
import Tensor

/// The gradient of the target logit with respect to the input (Simonyan et al. 2014,
/// "Deep inside convolutional networks"); `absolute` takes |∂f/∂x| as their saliency map
/// does (Captum's `Saliency` default).
public struct Gradient: AttributionMethod {
    public var absolute: Bool
    public init(absolute: Bool = false) { self.absolute = absolute }
    public var name: String { absolute ? "saliency" : "gradient" }
    public var units: AttributionUnits { .logitPerInput }
    public func conservationReasons(model: Sequential, bias: BiasConvention) -> [String] { AttributionUnits.notADecomposition(name) }

    public func attribute(_ model: Sequential, inputs: Tensor, target: Target) throws(ExplanationError) -> Attribution {
        let (traces, targets, logits) = try model.resolvedForward(inputs, target)
        let g = model.targetGradient(traces: traces, targets: targets)
        let map = absolute ? Tensor(shape: g.shape, scalars: g.scalars.map(abs)) : g
        return Attribution(method: name, map: map, targets: targets, explained: Sequential.pick(logits, targets))
    }
}

/// Gradient × input (Shrikumar et al. 2016): x ⊙ ∂f/∂x. On ReLU networks it equals LRP-0
/// with the relevance started at the logit, with or without biases, up to the
/// stabiliser: by induction, the relevance of a unit a_j is a_j ∂f/∂a_j at every layer.
public struct GradientTimesInput: AttributionMethod {
    public init() {}
    public var name: String { "gradient_x_input" }
    public var units: AttributionUnits { .logit }
    public func conservationReasons(model: Sequential, bias: BiasConvention) -> [String] { 
        model.layers.allSatisfy({ $0.activation == .relu || $0.activation == .linear })
            ? ["gradient × input on a ReLU network equals LRP-0: Σ = logit − the biases' share"] : AttributionUnits.notADecomposition(name)
     }

    public func attribute(_ model: Sequential, inputs: Tensor, target: Target) throws(ExplanationError) -> Attribution {
        let (traces, targets, logits) = try model.resolvedForward(inputs, target)
        let g = model.targetGradient(traces: traces, targets: targets)
        return Attribution(method: name, map: Tensor(shape: g.shape, scalars: zip(g.scalars, inputs.scalars).map(*)),
                           targets: targets, explained: Sequential.pick(logits, targets))
    }
}

/// Guided backpropagation (Springenberg et al. 2015) or deconvnet (Zeiler & Fergus 2014):
/// the gradient with ReLU's backward pass replaced (see ``ReLUBackward``).
public struct ModifiedBackprop: AttributionMethod {
    public var relu: ReLUBackward
    public init(_ relu: ReLUBackward) { self.relu = relu }
    public static let guided = ModifiedBackprop(.guided)
    public static let deconvnet = ModifiedBackprop(.deconvnet)
    public var name: String { relu == .guided ? "guided_backprop" : relu == .deconvnet ? "deconvnet" : "gradient" }
    public var units: AttributionUnits { .logitPerInput }
    public func conservationReasons(model: Sequential, bias: BiasConvention) -> [String] { AttributionUnits.notADecomposition(name) }

    public func attribute(_ model: Sequential, inputs: Tensor, target: Target) throws(ExplanationError) -> Attribution {
        let (traces, targets, logits) = try model.resolvedForward(inputs, target)
        let g = model.targetGradient(traces: traces, targets: targets, relu: relu)
        return Attribution(method: name, map: g, targets: targets, explained: Sequential.pick(logits, targets))
    }
}

/// SmoothGrad (Smilkov et al. 2017): the mean gradient over `samples` noisy copies
/// x + N(0, σ²), σ = `noise` × (max x − min x) of each sample (their "noise level"; they
/// recommend 10–20%). Seeded: the same seed gives the same map.
public struct SmoothGrad: AttributionMethod {
    public var samples: Int
    public var noise: Float
    public var seed: UInt64
    public init(samples: Int = 50, noise: Float = 0.15, seed: UInt64 = 0) {
        self.samples = samples
        self.noise = noise
        self.seed = seed
    }
    public var name: String { "smoothgrad" }
    public var units: AttributionUnits { .logitPerInput }
    public func conservationReasons(model: Sequential, bias: BiasConvention) -> [String] { AttributionUnits.notADecomposition(name) }

    public func attribute(_ model: Sequential, inputs: Tensor, target: Target) throws(ExplanationError) -> Attribution {
        guard samples > 0, noise >= 0 else { throw ExplanationError("SmoothGrad needs samples > 0 and noise ≥ 0 (got \(samples), \(noise))") }
        let (_, targets, logits) = try model.resolvedForward(inputs, target)
        let size = inputs.rowSize
        let sigmas: [Float] = (0..<inputs.rows).map { b in
            let row = inputs.scalars[(b * size)..<((b + 1) * size)]
            return noise * ((row.max() ?? 0) - (row.min() ?? 0))
        }
        var rng = SeededRNG(seed: seed).fork("smoothgrad")
        var sum = [Double](repeating: 0, count: inputs.count)
        for _ in 0..<samples {
            var noisy = inputs.scalars
            for i in noisy.indices where sigmas[i / size] > 0 { noisy[i] += sigmas[i / size] * Float(rng.normal()) }
            let g = model.targetGradient(Tensor(shape: inputs.shape, scalars: noisy), targets: targets)
            for i in sum.indices { sum[i] += Double(g.scalars[i]) }
        }
        let map = Tensor(shape: inputs.shape, scalars: sum.map { Float($0 / Double(samples)) })
        return Attribution(method: name, map: map, targets: targets, explained: Sequential.pick(logits, targets))
    }
}
