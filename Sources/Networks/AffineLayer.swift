import Tensor

/// A layer whose pre-activation is affine in its input, `z = x ⋆ W + b` (``Dense``,
/// ``Conv2D``), followed by its element-wise ``Layer/activation``.
///
/// Explanation methods need the affine map with *modified* parameters (LRP's ρ(W),
/// clamped weights, squared weights, ones) and its transpose, without the activation and
/// without the parameter gradients of ``Layer/backward(_:trace:needsInputGradient:)``.
public protocol AffineLayer: Layer {
    /// `z = x ⋆ W + b` for the given weights (the shape of `parameters[0]`) and bias
    /// (`[out]`; `nil` for none), without the activation: `[batch, in...] → [batch, out...]`.
    func affine(_ input: Tensor, weights: Tensor, bias: Tensor?) -> Tensor

    /// The transposed linear map `s ↦ ∂(Σ s ⊙ (x ⋆ W))/∂x`, i.e. `s · Wᵀ` for Dense and the
    /// transposed convolution for Conv2D: `[batch, out...] → [batch, inputShape...]`.
    func transposed(_ s: Tensor, weights: Tensor, inputShape: [Int]) -> Tensor

    /// A copy of the layer with other parameters (same shapes).
    func with(weights: Tensor, bias: Tensor) -> Self
}

extension Dense: AffineLayer {
    /// - Complexity: one `sgemm` `[batch, in] · [in, out]`.
    public func affine(_ input: Tensor, weights: Tensor, bias: Tensor?) -> Tensor {
        let batch = input.rows, (n, k) = (weights.shape[1], weights.shape[0])
        return Tensor.filled(shape: [batch, n]) { y in
            if let bias { bias.scalars.withUnsafeBufferPointer { Kernels.fillRows(y, with: $0) } }
            guard batch > 0 else { return }
            input.scalars.withUnsafeBufferPointer { x in
                weights.scalars.withUnsafeBufferPointer { w in
                    BLAS.gemm(m: batch, n: n, k: k, a: x.baseAddress!, b: w.baseAddress!, beta: bias == nil ? 0 : 1, c: y.baseAddress!)
                }
            }
        }
    }

    /// `s · Wᵀ`. - Complexity: one `sgemm` `[batch, out] · [out, in]`.
    public func transposed(_ s: Tensor, weights: Tensor, inputShape: [Int]) -> Tensor {
        let batch = s.rows, (k, n) = (weights.shape[1], weights.shape[0])
        return Tensor.filled(shape: [batch] + inputShape) { dx in
            guard batch > 0 else { return }
            s.scalars.withUnsafeBufferPointer { g in
                weights.scalars.withUnsafeBufferPointer { w in
                    BLAS.gemm(transposeB: true, m: batch, n: n, k: k, a: g.baseAddress!, b: w.baseAddress!, c: dx.baseAddress!)
                }
            }
        }
    }

    public func with(weights: Tensor, bias: Tensor) -> Dense {
        Dense(name: name, weights: weights, bias: bias, activation: activation)
    }
}

extension Conv2D: AffineLayer {
    /// - Complexity: im2col and one `sgemm` `[batch·positions, kh·kw·cin] · [kh·kw·cin, cout]`.
    public func affine(_ input: Tensor, weights: Tensor, bias: Tensor?) -> Tensor {
        let g = geometry(input)
        if g.supportsDirect(outputChannels: outputChannels) {
            return g.directForward(padded: g.padded(input), kernel: weights, bias: bias, outputChannels: outputChannels)
        }
        let rows = input.rows * g.positions
        let columns = g.im2col(input)
        return Tensor.filled(shape: [input.rows, g.outputHeight, g.outputWidth, outputChannels]) { y in
            if let bias { bias.scalars.withUnsafeBufferPointer { Kernels.fillRows(y, with: $0) } }
            guard rows > 0 else { return }
            columns.scalars.withUnsafeBufferPointer { cols in
                weights.scalars.withUnsafeBufferPointer { k in
                    BLAS.gemm(m: rows, n: outputChannels, k: g.patchSize, a: cols.baseAddress!, b: k.baseAddress!,
                              beta: bias == nil ? 0 : 1, c: y.baseAddress!)
                }
            }
        }
    }

    /// The transposed convolution: `s · Kᵀ` into columns, then col2im.
    /// - Complexity: one `sgemm` `[batch·positions, cout] · [cout, kh·kw·cin]` and col2im.
    public func transposed(_ s: Tensor, weights: Tensor, inputShape: [Int]) -> Tensor {
        let g = ConvGeometry(inputShape: inputShape, kernelHeight: kernelHeight, kernelWidth: kernelWidth, stride: stride, padding: padding)
        let batch = s.rows, rows = batch * g.positions
        if g.supportsDirect(outputChannels: outputChannels) {
            return g.directTransposed(s.scalars, batch: batch, kernel: weights, outputChannels: outputChannels)
        }
        var columns = [Float](repeating: 0, count: rows * g.patchSize)
        if rows > 0 {
            s.scalars.withUnsafeBufferPointer { d in
                weights.scalars.withUnsafeBufferPointer { k in
                    columns.withUnsafeMutableBufferPointer { c in
                        BLAS.gemm(transposeB: true, m: rows, n: g.patchSize, k: outputChannels,
                                  a: d.baseAddress!, b: k.baseAddress!, c: c.baseAddress!)
                    }
                }
            }
        }
        return g.col2im(columns, batch: batch)
    }

    public func with(weights: Tensor, bias: Tensor) -> Conv2D {
        Conv2D(name: name, kernel: weights, bias: bias, stride: stride, padding: padding, activation: activation)
    }
}
