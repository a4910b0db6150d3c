import Tensor

/// A fully connected layer: `y = f(x · W + b)`.
///
/// Shapes: input `[batch, in]`, weights `[in, out]` (TensorFlow's and Keras's layout;
/// PyTorch's `nn.Linear.weight` is the transpose), bias `[out]`, output `[batch, out]`.
public struct Dense: Layer {
    public let name: String
    public var spec: LayerSpec { .dense(units: outputSize, activation: activation) }
    public let activation: Activation
    /// `[weights [in, out], bias [out]]`.
    public var parameters: [Tensor]
    /// How the products are computed (``Arithmetic``); `blas` unless set.
    public var arithmetic: Arithmetic = .blas

    public var inputSize: Int { parameters[0].shape[0] }
    public var outputSize: Int { parameters[0].shape[1] }
    public var weights: Tensor { parameters[0] }
    public var bias: Tensor { parameters[1] }

    /// A layer with weights from `initializer` and zero bias.
    public init(name: String, inputSize: Int, outputSize: Int, activation: Activation = .linear,
                initializer: Initializer = .glorotUniform, rng: inout SeededRNG) {
        self.name = name
        self.activation = activation
        self.parameters = [
            initializer.weights(shape: [inputSize, outputSize], fanIn: inputSize, fanOut: outputSize, rng: &rng),
            Tensor.zeros([outputSize]),
        ]
    }

    /// A layer with the given weights `[in, out]` and bias `[out]`.
    public init(name: String, weights: Tensor, bias: Tensor, activation: Activation = .linear) {
        precondition(weights.rank == 2 && bias.shape == [weights.shape[1]], "Dense: weights \(weights.shape), bias \(bias.shape)")
        self.name = name
        self.activation = activation
        self.parameters = [weights, bias]
    }

    public func outputShape(for inputShape: [Int]) throws(NetworkError) -> [Int] {
        guard inputShape == [inputSize] else {
            throw NetworkError(layer: name, "expects [\(inputSize)] inputs per sample, got \(inputShape) (add a Flatten layer before it?)")
        }
        return [outputSize]
    }

    /// - Complexity: one `sgemm` of `[batch, in] · [in, out]` (or the fused kernel: see
    ///   ``Arithmetic``) plus O(batch · out).
    public func forward(_ input: Tensor) -> LayerTrace {
        if usesFusedKernels { return fusedForward(input) }
        let batch = input.rows
        let output = Tensor.filled(shape: [batch, outputSize]) { y in
            input.scalars.withUnsafeBufferPointer { x in
                parameters[0].scalars.withUnsafeBufferPointer { w in
                    parameters[1].scalars.withUnsafeBufferPointer { b in
                        // y = 1·bᵀ + x·W: the bias rows first, then the product with β = 1.
                        Kernels.fillRows(y, with: b)
                        if batch > 0 {
                            BLAS.gemm(m: batch, n: outputSize, k: inputSize, a: x.baseAddress!, b: w.baseAddress!,
                                      beta: 1, c: y.baseAddress!)
                        }
                        activation.apply(y)
                    }
                }
            }
        }
        return LayerTrace(input: input, output: output)
    }

    /// ∂L/∂z = ∂L/∂y ⊙ f′; ∂L/∂W = xᵀ · ∂L/∂z; ∂L/∂b = Σ_batch ∂L/∂z; ∂L/∂x = ∂L/∂z · Wᵀ.
    public func backward(_ outputGradient: Tensor, trace: LayerTrace, needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor]) {
        if usesFusedKernels { return fusedBackward(outputGradient, trace: trace, needsInputGradient: needsInputGradient) }
        let batch = trace.input.rows
        var dz = outputGradient.scalars
        var dW = Tensor.zeros([0]), db = Tensor.zeros([0])
        var dx: Tensor?
        dz.withUnsafeMutableBufferPointer { dzBuffer in
            trace.output.scalars.withUnsafeBufferPointer { y in
                activation.backpropagate(dzBuffer, output: y)
            }
            let dzPointer = UnsafePointer(dzBuffer.baseAddress!)
            dW = Tensor.filled(shape: [inputSize, outputSize]) { dWBuffer in
                trace.input.scalars.withUnsafeBufferPointer { x in
                    BLAS.gemm(transposeA: true, m: inputSize, n: outputSize, k: batch,
                              a: x.baseAddress!, b: dzPointer, c: dWBuffer.baseAddress!)
                }
            }
            db = Tensor.filled(shape: [outputSize]) { Kernels.sumRows(UnsafeBufferPointer(dzBuffer), into: $0) }
            if needsInputGradient {
                dx = Tensor.filled(shape: trace.input.shape) { dxBuffer in
                    parameters[0].scalars.withUnsafeBufferPointer { w in
                        BLAS.gemm(transposeB: true, m: batch, n: inputSize, k: outputSize,
                                  a: dzPointer, b: w.baseAddress!, c: dxBuffer.baseAddress!)
                    }
                }
            }
        }
        return (dx, [dW, db])
    }
}
