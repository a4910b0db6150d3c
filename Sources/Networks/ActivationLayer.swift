import Tensor

/// An activation on its own, for models that keep the affine map and the
/// nonlinearity in separate layers (each then observed separately).
public struct ActivationLayer: Layer {
    public let name: String
    public var spec: LayerSpec { .activation(activation) }
    public let activation: Activation
    public var parameters: [Tensor] = []

    public init(name: String, _ activation: Activation) {
        self.name = name
        self.activation = activation
    }

    public func outputShape(for inputShape: [Int]) throws(NetworkError) -> [Int] { inputShape }

    public func forward(_ input: Tensor) -> LayerTrace {
        var output = input.scalars
        output.withUnsafeMutableBufferPointer { activation.apply($0) }
        return LayerTrace(input: input, output: Tensor(shape: input.shape, scalars: output))
    }

    public func backward(_ outputGradient: Tensor, trace: LayerTrace, needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor]) {
        guard needsInputGradient else { return (nil, []) }
        var dz = outputGradient.scalars
        dz.withUnsafeMutableBufferPointer { d in
            trace.output.scalars.withUnsafeBufferPointer { y in
                trace.input.scalars.withUnsafeBufferPointer { z in activation.backpropagate(d, output: y, input: z) }
            }
        }
        return (Tensor(shape: trace.input.shape, scalars: dz), [])
    }
}
