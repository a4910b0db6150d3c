import Tensor

/// Max pooling over `size × size` windows with a stride (default: the window size), no
/// padding, per channel, on NHWC images. The forward pass records the flat input index
/// of each window's maximum; ties go to the first index in row-major window order
/// (`ky`, then `kx`), as PyTorch does. Backward routes each gradient to that index.
public struct MaxPool2D: Layer {
    public let name: String
    public var spec: LayerSpec { .maxpool2d(size: size, stride: stride) }
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
        let (c, w, s) = (g.channels, g.width, stride)
        let scalars = input.scalars
        let size = self.size
        let perImage = g.positions * c
        // Each image owns its outputs and their argmax indices: the workers write disjoint slices.
        let (values, argmax): ([Float], [Int32]) = Parallel.makeArrays(items: batch, strides: (perImage, perImage),
                                                                        minimumPerWorker: 8) { images, yBuffer, argBuffer in
            guard let y = yBuffer.baseAddress, let arg = argBuffer.baseAddress else { return }
            scalars.withUnsafeBufferPointer { xBuffer in
                let x = xBuffer.baseAddress!
                // Offsets of the window's elements from its first, in (ky, kx) order.
                let offsets = (0..<(size * size)).map { ((($0 / size) * w) + $0 % size) * c }
                let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
                // Wrapping arithmetic: indices are bounded by the tensor sizes, and
                // overflow checks would dominate this loop.
                offsets.withUnsafeBufferPointer { offsets in
                    var o = 0
                    for b in images {
                        let base = b &* g.imageSize
                        for oy in 0..<g.outputHeight {
                            for ox in 0..<g.outputWidth {
                                let first = base &+ ((oy &* s) &* w &+ ox &* s) &* c
                                var ch = 0
                                // Eight channels at a time (contiguous in NHWC).
                                while ch &+ 8 <= c {
                                    let origin = first &+ ch
                                    var best = UnsafeRawPointer(x + origin).loadUnaligned(as: SIMD8<Float>.self)
                                    var bestIndex = SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: origin)) &+ lanes
                                    for k in 1..<offsets.count {
                                        let index = origin &+ offsets[k]
                                        let v = UnsafeRawPointer(x + index).loadUnaligned(as: SIMD8<Float>.self)
                                        let better = v .> best
                                        best.replace(with: v, where: better)
                                        bestIndex.replace(with: SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: index)) &+ lanes,
                                                          where: better)
                                    }
                                    UnsafeMutableRawPointer(y + o).storeBytes(of: best, as: SIMD8<Float>.self)
                                    UnsafeMutableRawPointer(arg + o).storeBytes(of: bestIndex, as: SIMD8<Int32>.self)
                                    o &+= 8
                                    ch &+= 8
                                }
                                while ch < c {
                                    let origin = first &+ ch
                                    var best = x[origin]
                                    var bestIndex = origin
                                    for k in 1..<offsets.count {
                                        let index = origin &+ offsets[k]
                                        let v = x[index]
                                        if v > best {
                                            best = v
                                            bestIndex = index
                                        }
                                    }
                                    y[o] = best
                                    arg[o] = Int32(truncatingIfNeeded: bestIndex)
                                    o &+= 1
                                    ch &+= 1
                                }
                            }
                        }
                    }
                }
            }
        }
        let output = Tensor(shape: [batch, g.outputHeight, g.outputWidth, c], scalars: values)
        return LayerTrace(input: input, output: output, argmax: argmax)
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
