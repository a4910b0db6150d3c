import Tensor

/// Two or more inputs joined along their last axis: the channels of NHWC maps of one
/// height and width (as `torch.cat(dim=1)` on NCHW, DenseNet's and Inception's
/// concatenation), or the features of flat inputs. No parameters; its backward pass
/// hands each input its slice of ∂L/∂y.
public struct Concat: Layer {
    public let name: String
    public var spec: LayerSpec { .concat }
    public var parameters: [Tensor] = []
    public var takesSeveralInputs: Bool { true }

    public init(name: String) { self.name = name }

    public func outputShape(for inputShape: [Int]) throws(NetworkError) -> [Int] { inputShape }

    public func outputShape(forInputs shapes: [[Int]]) throws(NetworkError) -> [Int] {
        guard shapes.count >= 2 else { throw NetworkError(layer: name, "joins two or more inputs, got \(shapes.count)") }
        let leading = shapes[0].dropLast()
        guard !shapes[0].isEmpty, shapes.allSatisfy({ $0.count == shapes[0].count && $0.dropLast() == leading }) else {
            throw NetworkError(layer: name, "joins inputs that differ only in their last axis (channels), got \(shapes.map { "\($0)" }.joined(separator: " and "))")
        }
        var total = 0
        for shape in shapes {
            let (sum, overflow) = total.addingReportingOverflow(shape[shape.count - 1])
            guard !overflow else { throw NetworkError(layer: name, "too many channels") }
            total = sum
        }
        return Array(leading) + [total]
    }

    public func forward(_ input: Tensor) -> LayerTrace { LayerTrace(input: input, output: input) }

    public func forward(inputs: [Tensor]) -> LayerTrace {
        let widths = inputs.map { $0.shape[$0.shape.count - 1] }
        let total = widths.reduce(0, +)
        let positions = inputs[0].count / max(widths[0], 1)
        var output = [Float](repeating: 0, count: positions * total)
        var offset = 0
        for (input, width) in zip(inputs, widths) {
            input.scalars.withUnsafeBufferPointer { x in
                for p in 0..<positions {
                    for c in 0..<width { output[p * total + offset + c] = x[p * width + c] }
                }
            }
            offset += width
        }
        return LayerTrace(input: inputs[0], output: Tensor(shape: Array(inputs[0].shape.dropLast()) + [total], scalars: output),
                          otherInputs: Array(inputs.dropFirst()))
    }

    public func backward(_ outputGradient: Tensor, trace: LayerTrace, needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor]) {
        (needsInputGradient ? backward(toInputs: outputGradient, trace: trace)[0] : nil, [])
    }

    public func backward(toInputs outputGradient: Tensor, trace: LayerTrace) -> [Tensor] {
        let inputs = trace.inputs
        let widths = inputs.map { $0.shape[$0.shape.count - 1] }
        let total = widths.reduce(0, +)
        let positions = outputGradient.count / max(total, 1)
        var offset = 0
        return zip(inputs, widths).map { input, width in
            defer { offset += width }
            var g = [Float](repeating: 0, count: positions * width)
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                for p in 0..<positions {
                    for c in 0..<width { g[p * width + c] = dy[p * total + offset + c] }
                }
            }
            return Tensor(shape: input.shape, scalars: g)
        }
    }
}
