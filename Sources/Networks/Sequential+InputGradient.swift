import Tensor

/// How gradients pass ReLU activations backwards (Springenberg et al. 2015, Fig. 1).
///
/// | mode | ∂ at a ReLU with output y, incoming g |
/// |---|---|
/// | `gradient` | g · 1[y > 0] |
/// | `guided` (guided backprop) | max(g, 0) · 1[y > 0] |
/// | `deconvnet` (Zeiler & Fergus 2014) | max(g, 0) |
///
/// Other activations always use their true derivative.
public enum ReLUBackward: String, Sendable, Hashable {
    case gradient, guided, deconvnet
}

extension Sequential {
    /// The gradient of Σ_b seed[b] · logits[b] with respect to the input (or, with
    /// `layer`, to that layer's output), from a forward pass's traces.
    ///
    /// - Parameters:
    ///   - seed: `[batch, classes]`, ∂/∂logits (a one-hot row per sample for a class score).
    ///   - layer: stop at this layer's output (Grad-CAM); nil for the input.
    ///   - start: the seed is ∂/∂(this layer's output) instead of ∂/∂logits (feature
    ///     visualisation of hidden units).
    /// - Returns: `[batch, inputShape...]`, or the layer's output shape.
    /// - Complexity: one transposed map per affine layer (no parameter gradients).
    public func gradient(traces: [LayerTrace], seed: Tensor, relu: ReLUBackward = .gradient, layer: Int? = nil, from start: Int? = nil) -> Tensor {
        propagateBack(from: start ?? layers.count - 1, seed: seed, stoppingAt: layer) { index, g in
            let current = layers[index], trace = traces[index]
            switch current.spec {
            case .dense, .conv2d:
                // The activation's derivative, then the transposed affine map, without the
                // weight gradients the full backward pass computes (Dense and Conv2D are
                // affine layers; another type of these kinds takes its exact backward pass).
                guard let affine = current as? any AffineLayer else {
                    return current.backward(toInputs: g, trace: trace)
                }
                let dz = Self.activationBackward(g, activation: current.activation, output: trace.output, relu: relu)
                return [affine.transposed(dz, weights: affine.parameters[0], inputShape: Array(trace.input.shape.dropFirst()))]
            case .activation:
                return [Self.activationBackward(g, activation: current.activation, output: trace.output, input: trace.input, relu: relu)]
            case .maxpool2d, .avgpool2d, .flatten, .add, .concat:
                return current.backward(toInputs: g, trace: trace)
            }
        }
    }

    /// ∂L/∂z from ∂L/∂y: the activation's derivative (from its output, and from its input
    /// `input` for GELU and hard swish), or ReLU's guided or deconvnet rule.
    package static func activationBackward(_ g: Tensor, activation: Activation, output: Tensor, input: Tensor? = nil, relu: ReLUBackward) -> Tensor {
        var scalars = g.scalars
        if activation == .relu && relu != .gradient {
            for i in scalars.indices {
                let positive = max(scalars[i], 0)
                scalars[i] = relu == .deconvnet || output.scalars[i] > 0 ? positive : 0
            }
        } else {
            scalars.withUnsafeMutableBufferPointer { buffer in
                output.scalars.withUnsafeBufferPointer { y in
                    if let input {
                        input.scalars.withUnsafeBufferPointer { activation.backpropagate(buffer, output: y, input: $0) }
                    } else {
                        activation.backpropagate(buffer, output: y)
                    }
                }
            }
        }
        return Tensor(shape: g.shape, scalars: scalars)
    }

    /// The gradient of each sample's target logit with respect to its input (or to layer
    /// `layer`'s output), from a forward pass's traces.
    package func targetGradient(traces: [LayerTrace], targets: [Int], relu: ReLUBackward = .gradient, layer: Int? = nil) -> Tensor {
        let seed = Sequential.oneHot(targets, classes: outputSize, values: Array(repeating: 1, count: targets.count))
        return gradient(traces: traces, seed: seed, relu: relu, layer: layer)
    }

    /// The same at new inputs (IG's path points, SmoothGrad's noisy copies), `[batch, inputShape...]`.
    package func targetGradient(_ inputs: Tensor, targets: [Int]) -> Tensor {
        targetGradient(traces: forward(inputs), targets: targets)
    }
}

extension Sequential {
    /// `[batch, classes]` with `value[b]` at `(b, targets[b])` and zeros elsewhere: the
    /// seed of a backward pass from chosen logits.
    package static func oneHot(_ targets: [Int], classes: Int, values: [Float]) -> Tensor {
        var scalars = [Float](repeating: 0, count: targets.count * classes)
        for (b, c) in targets.enumerated() { scalars[b * classes + c] = values[b] }
        return Tensor(shape: [targets.count, classes], scalars: scalars)
    }
}
