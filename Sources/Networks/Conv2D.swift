import Tensor

/// A 2-D convolution (cross-correlation, as in every deep-learning library) on NHWC
/// images: `y[b, oy, ox, f] = f(Σ_{ky,kx,c} x[b, oy·s + ky − p, ox·s + kx − p, c] · K[ky, kx, c, f] + bias[f])`
/// with zero padding `p` on all four sides and stride `s`.
///
/// Shapes: input `[batch, h, w, cin]`, kernel `[kh, kw, cin, cout]`, bias `[cout]`,
/// output `[batch, (h + 2p − kh)/s + 1, (w + 2p − kw)/s + 1, cout]`.
/// PyTorch's `Conv2d.weight` is `[cout, cin, kh, kw]` (permute to compare).
///
/// Implementation: im2col (one row per output position, columns ordered `ky, kx, c`)
/// and one `sgemm` for the whole batch; the backward pass reuses the columns.
public struct Conv2D: Layer {
    public let name: String
    public var spec: LayerSpec {
        .conv2d(filters: outputChannels, kernel: [kernelHeight, kernelWidth], stride: stride, padding: padding, activation: activation)
    }
    public let activation: Activation
    public let stride: Int
    public let padding: Int
    /// `[kernel [kh, kw, cin, cout], bias [cout]]`.
    public var parameters: [Tensor]

    public var kernelHeight: Int { parameters[0].shape[0] }
    public var kernelWidth: Int { parameters[0].shape[1] }
    public var inputChannels: Int { parameters[0].shape[2] }
    public var outputChannels: Int { parameters[0].shape[3] }

    public init(name: String, kernelSize: (Int, Int), inputChannels: Int, outputChannels: Int,
                stride: Int = 1, padding: Int = 0, activation: Activation = .linear,
                initializer: Initializer = .heNormal, rng: inout SeededRNG) {
        let (kh, kw) = kernelSize
        self.name = name
        self.activation = activation
        self.stride = stride
        self.padding = padding
        self.parameters = [
            initializer.weights(shape: [kh, kw, inputChannels, outputChannels],
                                fanIn: kh * kw * inputChannels, fanOut: kh * kw * outputChannels, rng: &rng),
            Tensor.zeros([outputChannels]),
        ]
    }

    public init(name: String, kernel: Tensor, bias: Tensor, stride: Int = 1, padding: Int = 0, activation: Activation = .linear) {
        precondition(kernel.rank == 4 && bias.shape == [kernel.shape[3]], "Conv2D: kernel \(kernel.shape), bias \(bias.shape)")
        self.name = name
        self.activation = activation
        self.stride = stride
        self.padding = padding
        self.parameters = [kernel, bias]
    }

    public func outputShape(for inputShape: [Int]) throws(NetworkError) -> [Int] {
        guard inputShape.count == 3 else {
            throw NetworkError(layer: name, "expects [height, width, channels] inputs per sample, got \(inputShape)")
        }
        guard inputShape[2] == inputChannels else {
            throw NetworkError(layer: name, "expects \(inputChannels) input channels, got \(inputShape[2])")
        }
        let geometry = ConvGeometry(inputShape: inputShape, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                                    stride: stride, padding: padding)
        guard geometry.outputHeight > 0, geometry.outputWidth > 0, stride > 0 else {
            throw NetworkError(layer: name, "a \(kernelHeight)×\(kernelWidth) kernel with stride \(stride) and padding \(padding) does not fit a \(inputShape[0])×\(inputShape[1]) input")
        }
        return [geometry.outputHeight, geometry.outputWidth, outputChannels]
    }

    func geometry(_ input: Tensor) -> ConvGeometry {
        ConvGeometry(inputShape: Array(input.shape.dropFirst()), kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                     stride: stride, padding: padding)
    }

    /// - Complexity: im2col O(batch · positions · kh·kw·cin) and one `sgemm`
    ///   `[batch·positions, kh·kw·cin] · [kh·kw·cin, cout]`.
    public func forward(_ input: Tensor) -> LayerTrace {
        let g = geometry(input)
        let batch = input.rows
        if g.supportsDirect(outputChannels: outputChannels) {
            // Direct kernels: the padded input is what the backward pass needs.
            let padded = g.padded(input)
            var output = g.directForward(padded: padded, kernel: parameters[0], bias: parameters[1], outputChannels: outputChannels)
            output.scalars.withUnsafeMutableBufferPointer { activation.apply($0) }
            return LayerTrace(input: input, output: output, saved: padded)
        }
        let columns = g.im2col(input)
        let rows = batch * g.positions
        let output = Tensor.filled(shape: [batch, g.outputHeight, g.outputWidth, outputChannels]) { y in
            columns.scalars.withUnsafeBufferPointer { cols in
                parameters[0].scalars.withUnsafeBufferPointer { k in
                    parameters[1].scalars.withUnsafeBufferPointer { b in
                        Kernels.fillRows(y, with: b)
                        if rows > 0 {
                            BLAS.gemm(m: rows, n: outputChannels, k: g.patchSize, a: cols.baseAddress!, b: k.baseAddress!,
                                      beta: 1, c: y.baseAddress!)
                        }
                        activation.apply(y)
                    }
                }
            }
        }
        return LayerTrace(input: input, output: output, saved: columns)
    }

    public func backward(_ outputGradient: Tensor, trace: LayerTrace, needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor]) {
        let g = geometry(trace.input)
        if g.supportsDirect(outputChannels: outputChannels) { return directBackward(outputGradient, trace: trace, geometry: g, needsInputGradient: needsInputGradient) }
        let rows = trace.input.rows * g.positions
        let columns = trace.saved ?? g.im2col(trace.input)
        var dz = outputGradient.scalars
        var dK = [Float](repeating: 0, count: g.patchSize * outputChannels)
        var db = [Float](repeating: 0, count: outputChannels)
        var dCols: [Float] = needsInputGradient ? [Float](repeating: 0, count: rows * g.patchSize) : []
        dz.withUnsafeMutableBufferPointer { dzBuffer in
            trace.output.scalars.withUnsafeBufferPointer { activation.backpropagate(dzBuffer, output: $0) }
            let dzPointer = UnsafePointer(dzBuffer.baseAddress!)
            columns.scalars.withUnsafeBufferPointer { cols in
                dK.withUnsafeMutableBufferPointer { dKBuffer in
                    BLAS.gemm(transposeA: true, m: g.patchSize, n: outputChannels, k: rows,
                              a: cols.baseAddress!, b: dzPointer, c: dKBuffer.baseAddress!)
                }
            }
            db.withUnsafeMutableBufferPointer { Kernels.sumRows(UnsafeBufferPointer(dzBuffer), into: $0) }
            if needsInputGradient {
                parameters[0].scalars.withUnsafeBufferPointer { k in
                    dCols.withUnsafeMutableBufferPointer { d in
                        BLAS.gemm(transposeB: true, m: rows, n: g.patchSize, k: outputChannels,
                                  a: dzPointer, b: k.baseAddress!, c: d.baseAddress!)
                    }
                }
            }
        }
        let dx = needsInputGradient ? g.col2im(dCols, batch: trace.input.rows) : nil
        return (dx, [Tensor(shape: parameters[0].shape, scalars: dK), Tensor(shape: [outputChannels], scalars: db)])
    }
}

extension Conv2D {
    /// ``backward(_:trace:needsInputGradient:)`` on the direct kernels (the trace saved the
    /// padded input).
    func directBackward(_ outputGradient: Tensor, trace: LayerTrace, geometry g: ConvGeometry,
                        needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor]) {
        var dz = outputGradient.scalars
        var db = [Float](repeating: 0, count: outputChannels)
        dz.withUnsafeMutableBufferPointer { dzBuffer in
            trace.output.scalars.withUnsafeBufferPointer { activation.backpropagate(dzBuffer, output: $0) }
            db.withUnsafeMutableBufferPointer { Kernels.sumRows(UnsafeBufferPointer(dzBuffer), into: $0) }
        }
        let padded = trace.saved ?? g.padded(trace.input)
        let dK = g.directKernelGradient(padded: padded, outputGradient: dz, outputChannels: outputChannels)
        let dx = needsInputGradient ? g.directTransposed(dz, batch: trace.input.rows, kernel: parameters[0], outputChannels: outputChannels) : nil
        return (dx, [Tensor(shape: parameters[0].shape, scalars: dK), Tensor(shape: [outputChannels], scalars: db)])
    }
}
