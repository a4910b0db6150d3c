import Tensor

/// Max pooling over `size × size` windows with a stride (default: the window size), no
/// padding, per channel, on NHWC images. The forward pass records the flat input index
/// of each window's maximum; ties go to the first index in row-major window order
/// (`ky`, then `kx`), as PyTorch does. Backward routes each gradient to that index.
public struct MaxPool2D: Layer {
    public let name: String
    public var kind: String { "maxpool2d" }
    public let size: Int
    public let stride: Int
    public var parameters: [Tensor] = []

    public init(name: String, size: Int = 2, stride: Int? = nil) {
        self.name = name
        self.size = size
        self.stride = stride ?? size
    }

    func geometry(_ shape: [Int]) -> ConvGeometry {
        ConvGeometry(inputShape: shape, kernelHeight: size, kernelWidth: size, stride: stride, padding: 0)
    }

    public func outputShape(for inputShape: [Int]) throws(NetworkError) -> [Int] {
        try PoolingShape.output(name: name, size: size, stride: stride, inputShape: inputShape)
    }

    public func forward(_ input: Tensor) -> LayerTrace {
        let g = geometry(Array(input.shape.dropFirst()))
        let batch = input.rows
        let count = batch * g.positions * g.channels
        var output = [Float](repeating: 0, count: count)
        var argmax = [Int32](repeating: 0, count: count)
        input.scalars.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                argmax.withUnsafeMutableBufferPointer { arg in
                    var o = 0
                    for b in 0..<batch {
                        let base = b * g.imageSize
                        for oy in 0..<g.outputHeight {
                            for ox in 0..<g.outputWidth {
                                for c in 0..<g.channels {
                                    var best = -Float.infinity
                                    var bestIndex = base + ((oy * stride) * g.width + ox * stride) * g.channels + c
                                    for ky in 0..<size {
                                        let rowBase = base + ((oy * stride + ky) * g.width + ox * stride) * g.channels + c
                                        for kx in 0..<size {
                                            let index = rowBase + kx * g.channels
                                            if x[index] > best {
                                                best = x[index]
                                                bestIndex = index
                                            }
                                        }
                                    }
                                    y[o] = best
                                    arg[o] = Int32(bestIndex)
                                    o += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        return LayerTrace(input: input,
                          output: Tensor(shape: [batch, g.outputHeight, g.outputWidth, g.channels], scalars: output),
                          argmax: argmax)
    }

    public func backward(_ outputGradient: Tensor, trace: LayerTrace, needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor]) {
        guard needsInputGradient else { return (nil, []) }
        var dx = [Float](repeating: 0, count: trace.input.count)
        for (o, index) in trace.argmax.enumerated() {
            dx[Int(index)] += outputGradient.scalars[o]
        }
        return (Tensor(shape: trace.input.shape, scalars: dx), [])
    }
}

/// Output shape of a pooling window, shared by ``MaxPool2D`` and ``AvgPool2D``.
enum PoolingShape {
    static func output(name: String, size: Int, stride: Int, inputShape: [Int]) throws(NetworkError) -> [Int] {
        guard inputShape.count == 3 else {
            throw NetworkError(layer: name, "expects [height, width, channels] inputs per sample, got \(inputShape)")
        }
        guard size > 0, stride > 0, inputShape[0] >= size, inputShape[1] >= size else {
            throw NetworkError(layer: name, "a \(size)×\(size) window with stride \(stride) does not fit a \(inputShape[0])×\(inputShape[1]) input")
        }
        return [(inputShape[0] - size) / stride + 1, (inputShape[1] - size) / stride + 1, inputShape[2]]
    }
}
