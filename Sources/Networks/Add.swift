import Tensor

/// The element-wise sum of two or more inputs of one shape: a residual connection
/// (He et al. 2016, "Deep residual learning for image recognition", y = F(x) + x).
/// No parameters; its backward pass hands ∂L/∂y to every input unchanged.
public struct Add: Layer {
    public let name: String
    public var spec: LayerSpec { .add }
    public var parameters: [Tensor] = []
    public var takesSeveralInputs: Bool { true }

    public init(name: String) { self.name = name }

    /// One input: itself (a merge of one is the identity; the graph requires two or more).
    public func outputShape(for inputShape: [Int]) throws(NetworkError) -> [Int] { inputShape }

    public func outputShape(forInputs shapes: [[Int]]) throws(NetworkError) -> [Int] {
        guard shapes.count >= 2 else { throw NetworkError(layer: name, "adds two or more inputs, got \(shapes.count)") }
        guard shapes.allSatisfy({ $0 == shapes[0] }) else {
            throw NetworkError(layer: name, "adds inputs of one shape, got \(shapes.map { "\($0)" }.joined(separator: " and "))")
        }
        return shapes[0]
    }

    public func forward(_ input: Tensor) -> LayerTrace { LayerTrace(input: input, output: input) }

    public func forward(inputs: [Tensor]) -> LayerTrace {
        var sum = inputs[0].scalars
        for other in inputs.dropFirst() {
            other.scalars.withUnsafeBufferPointer { x in
                for i in sum.indices { sum[i] += x[i] }
            }
        }
        return LayerTrace(input: inputs[0], output: Tensor(shape: inputs[0].shape, scalars: sum), otherInputs: Array(inputs.dropFirst()))
    }

    public func backward(_ outputGradient: Tensor, trace: LayerTrace, needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor]) {
        (needsInputGradient ? outputGradient : nil, [])
    }

    public func backward(toInputs outputGradient: Tensor, trace: LayerTrace) -> [Tensor] {
        Array(repeating: outputGradient, count: trace.inputs.count)
    }
}
