import Tensor

/// Average pooling over `size × size` windows with a stride (default: the window
/// size), no padding, per channel, on NHWC images: each output is the mean of its
/// window; backward spreads each gradient equally over the window.
public struct AvgPool2D: Layer {
    public let name: String
    public var spec: LayerSpec { .avgpool2d(size: size, stride: stride) }
    public let size: Int
    public let stride: Int
    public var parameters: [Tensor] = []

    public init(name: String, size: Int = 2, stride: Int? = nil) {
        self.name = name
        self.size = size
        self.stride = stride ?? size
    }

    public func outputShape(for inputShape: [Int]) throws(NetworkError) -> [Int] {
        try PoolingShape.output(name: name, size: size, stride: stride, inputShape: inputShape)
    }

    /// Calls `body(outputIndex, inputIndex)` for every window element.
    private func forEachWindowElement(_ shape: [Int], batch: Int, _ body: (Int, Int) -> Void) {
        let g = ConvGeometry(inputShape: shape, kernelHeight: size, kernelWidth: size, stride: stride, padding: 0)
        var o = 0
        for b in 0..<batch {
            let base = b * g.imageSize
            for oy in 0..<g.outputHeight {
                for ox in 0..<g.outputWidth {
                    for c in 0..<g.channels {
                        for ky in 0..<size {
                            for kx in 0..<size {
                                body(o, base + ((oy * stride + ky) * g.width + ox * stride + kx) * g.channels + c)
                            }
                        }
                        o += 1
                    }
                }
            }
        }
    }

    public func forward(_ input: Tensor) -> LayerTrace {
        let shape = Array(input.shape.dropFirst())
        let outShape = (try? outputShape(for: shape)) ?? [0, 0, 0]
        var output = [Float](repeating: 0, count: input.rows * outShape.reduce(1, *))
        let scale = 1 / Float(size * size)
        input.scalars.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                forEachWindowElement(shape, batch: input.rows) { o, i in y[o] += x[i] * scale }
            }
        }
        return LayerTrace(input: input, output: Tensor(shape: [input.rows] + outShape, scalars: output))
    }

    public func backward(_ outputGradient: Tensor, trace: LayerTrace, needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor]) {
        guard needsInputGradient else { return (nil, []) }
        var dx = [Float](repeating: 0, count: trace.input.count)
        let scale = 1 / Float(size * size)
        outputGradient.scalars.withUnsafeBufferPointer { dy in
            dx.withUnsafeMutableBufferPointer { d in
                forEachWindowElement(Array(trace.input.shape.dropFirst()), batch: trace.input.rows) { o, i in d[i] += dy[o] * scale }
            }
        }
        return (Tensor(shape: trace.input.shape, scalars: dx), [])
    }
}
