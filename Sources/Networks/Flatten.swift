import Tensor

/// Reshapes `[batch, d1, d2, ...]` to `[batch, d1·d2·…]` in row-major (NHWC) order.
/// (PyTorch flattens NCHW tensors in channel-major order: permute to compare weights.)
public struct Flatten: Layer {
    public let name: String
    public var spec: LayerSpec { .flatten }
    public var parameters: [Tensor] = []

    public init(name: String) { self.name = name }

    public func outputShape(for inputShape: [Int]) throws(NetworkError) -> [Int] {
        [inputShape.reduce(1, *)]
    }

    public func forward(_ input: Tensor) -> LayerTrace {
        LayerTrace(input: input, output: input.reshaped([input.rows, input.rowSize]))
    }

    public func backward(_ outputGradient: Tensor, trace: LayerTrace, needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor]) {
        (needsInputGradient ? outputGradient.reshaped(trace.input.shape) : nil, [])
    }
}
