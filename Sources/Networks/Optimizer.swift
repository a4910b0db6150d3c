import CKernels
import RealModule
import Tensor

/// Updates a model's parameters from their gradients.
///
/// State (momentum buffers, Adam moments, the step count) is part of the value, so a
/// checkpoint that stores ``state`` and ``steps`` resumes bit for bit.
public protocol Optimizer: Sendable {
    /// Applies one update with the gradients of every layer (`[layer][parameter]`).
    mutating func update(_ model: inout Sequential, gradients: [[Tensor]])
    /// Per-parameter state tensors, `[layer][parameter][slot]` flattened to a list in
    /// that order (empty for plain SGD).
    var state: [Tensor] { get set }
    /// The number of updates applied so far.
    var steps: Int { get set }
    /// State tensors per parameter tensor (Adam 2, SGD with momentum 1, plain SGD 0),
    /// each of its parameter's shape; ``state`` lists them parameter by parameter.
    var stateSlotsPerParameter: Int { get }
}

/// Coupled L2 weight decay: adds `decay · θ` to the gradient of every weight tensor
/// (not biases) before the optimizer's rule, as Keras's `kernel_regularizer=l2(decay/2)`
/// and PyTorch's `weight_decay` do.
@inline(__always)
func decayedGradient(_ gradient: UnsafeMutableBufferPointer<Float>, _ parameter: UnsafeBufferPointer<Float>, decay: Float) {
    guard decay != 0 else { return }
    for i in gradient.indices { gradient[i] += decay * parameter[i] }
}

/// Stochastic gradient descent with optional momentum and weight decay:
/// `v ← μ v + g`, `θ ← θ − η v` (PyTorch's formulation; μ = 0 gives plain SGD).
public struct SGD: Optimizer {
    public var learningRate: Float
    public var momentum: Float
    public var weightDecay: Float
    public var state: [Tensor] = []
    public var steps: Int = 0
    public var stateSlotsPerParameter: Int { momentum != 0 ? 1 : 0 }

    public init(learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    public mutating func update(_ model: inout Sequential, gradients: [[Tensor]]) {
        steps += 1
        var slot = 0
        for l in model.layers.indices {
            for p in model.layers[l].parameters.indices {
                var g = gradients[l][p].scalars
                let isWeight = p == 0
                if momentum != 0 && state.count <= slot {
                    state.append(Tensor.zeros(gradients[l][p].shape))
                }
                let lr = learningRate, mu = momentum, decay = isWeight ? weightDecay : 0
                g.withUnsafeMutableBufferPointer { gBuffer in
                    model.layers[l].parameters[p].scalars.withUnsafeMutableBufferPointer { theta in
                        decayedGradient(gBuffer, UnsafeBufferPointer(theta), decay: decay)
                        if mu != 0 {
                            state[slot].scalars.withUnsafeMutableBufferPointer { v in
                                for i in theta.indices {
                                    v[i] = mu * v[i] + gBuffer[i]
                                    theta[i] -= lr * v[i]
                                }
                            }
                        } else {
                            for i in theta.indices { theta[i] -= lr * gBuffer[i] }
                        }
                    }
                }
                if momentum != 0 { slot += 1 }
            }
        }
    }
}

/// Adam (Kingma & Ba 2015) in the form of TensorFlow 1 and Keras 2, which the 2017
/// (IDNNs) and 2018 (ibsgd) codes ran:
///
///     m ← β1 m + (1 − β1) g,   v ← β2 v + (1 − β2) g²
///     η_t = η √(1 − β2^t) / (1 − β1^t)
///     θ ← θ − η_t m / (√v + ε)
///
/// ε is added to √v *after* the bias correction has been folded into η_t (PyTorch adds
/// it to √v̂ instead; the two agree up to a rescaling of ε). ε defaults to 1e-8 as in
/// TensorFlow 1 (IDNNs); Keras 2's default is 1e-7.
public struct Adam: Optimizer {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    /// First moments m, one per parameter tensor in layer and parameter order.
    public var firstMoments: [Tensor] = []
    /// Second moments v, likewise.
    public var secondMoments: [Tensor] = []
    public var steps: Int = 0
    public var stateSlotsPerParameter: Int { 2 }

    /// `[m, v]` per parameter tensor, in layer and parameter order.
    public var state: [Tensor] {
        get { zip(firstMoments, secondMoments).flatMap { [$0, $1] } }
        set {
            firstMoments = stride(from: 0, to: newValue.count, by: 2).map { newValue[$0] }
            secondMoments = stride(from: 1, to: newValue.count, by: 2).map { newValue[$0] }
        }
    }

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public mutating func update(_ model: inout Sequential, gradients: [[Tensor]]) {
        steps += 1
        let t = Double(steps)
        let correctedRate = Float(Double(learningRate) * (1 - Double.pow(Double(beta2), t)).squareRoot()
                                  / (1 - Double.pow(Double(beta1), t)))
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        var slot = 0
        for l in model.layers.indices {
            for p in model.layers[l].parameters.indices {
                if firstMoments.count <= slot {
                    firstMoments.append(Tensor.zeros(gradients[l][p].shape))
                    secondMoments.append(Tensor.zeros(gradients[l][p].shape))
                }
                let decay = p == 0 ? weightDecay : 0
                // The loop of the formulas above, element by element (CKernels: the same
                // operations eight lanes at a time; the Swift loop could not vectorise).
                gradients[l][p].scalars.withUnsafeBufferPointer { g in
                    model.layers[l].parameters[p].scalars.withUnsafeMutableBufferPointer { theta in
                        firstMoments[slot].scalars.withUnsafeMutableBufferPointer { m in
                            secondMoments[slot].scalars.withUnsafeMutableBufferPointer { v in
                                // The kernel reads all four at theta's length.
                                precondition(g.count == theta.count && m.count == theta.count && v.count == theta.count,
                                             "Adam: gradient, moments and parameter \(l).\(p) differ in size")
                                ip_adam_update(1, theta.baseAddress, g.baseAddress, m.baseAddress, v.baseAddress, Int64(theta.count),
                                               b1, b2, eps, correctedRate, decay)
                            }
                        }
                    }
                }
                slot += 1
            }
        }
    }
}
