import CKernels
import Tensor

/// The `fused` arithmetic of a dense layer: its three products by the kernels of
/// `CKernels/dense_kernels.c` (one chain of fused multiply-adds per element, in index
/// order) instead of `sgemm`.
extension Dense {
    /// Whether this layer's products run on the fused kernels.
    var usesFusedKernels: Bool {
        arithmetic == .fused && ip_dense_supported(Int32(inputSize), Int32(outputSize)) != 0
    }

    /// y = f(x · W + b), `[batch, out]`, with tanh by `ip_tanh_fused`.
    /// - Complexity: O(batch · in · out).
    func fusedForward(_ input: Tensor) -> LayerTrace {
        // No sgemm runs here, but the process set-up that comes with BLAS's first use is
        // wanted all the same: large buffers recycled in the heap, not mapped per epoch.
        BLAS.ensureConfigured()
        let batch = input.rows
        let output = Tensor.filled(shape: [batch, outputSize]) { y in
            input.scalars.withUnsafeBufferPointer { x in
                parameters[0].scalars.withUnsafeBufferPointer { w in
                    parameters[1].scalars.withUnsafeBufferPointer { b in
                        ip_dense_forward(1, x.baseAddress, Int64(batch), Int32(inputSize), w.baseAddress, b.baseAddress,
                                         Int32(outputSize), y.baseAddress)
                    }
                }
            }
            // The fused arithmetic's own tanh (fused multiply-adds); other activations as ever.
            if activation == .tanh, let base = y.baseAddress {
                ip_tanh_fused(base, Int64(y.count))
            } else {
                activation.apply(y)
            }
        }
        return LayerTrace(input: input, output: output)
    }

    /// The backward pass of ``Dense/backward(_:trace:needsInputGradient:)`` on the fused
    /// kernels: ∂L/∂W = xᵀ · ∂L/∂z, ∂L/∂b = Σ_batch ∂L/∂z, ∂L/∂x = ∂L/∂z · Wᵀ.
    func fusedBackward(_ outputGradient: Tensor, trace: LayerTrace, needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor]) {
        let batch = trace.input.rows
        var dz = outputGradient.scalars
        dz.withUnsafeMutableBufferPointer { d in
            trace.output.scalars.withUnsafeBufferPointer { activation.backpropagate(d, output: $0) }
        }
        var db = Tensor.zeros([0])
        let dW = Tensor.filled(shape: [inputSize, outputSize]) { dWBuffer in
            db = Tensor.filled(shape: [outputSize]) { dbBuffer in
                trace.input.scalars.withUnsafeBufferPointer { x in
                    dz.withUnsafeBufferPointer { d in
                        ip_dense_parameter_gradient(1, x.baseAddress, d.baseAddress, Int64(batch), Int32(inputSize), Int32(outputSize),
                                                    dWBuffer.baseAddress, dbBuffer.baseAddress)
                    }
                }
            }
        }
        guard needsInputGradient else { return (nil, [dW, db]) }
        let dx = Tensor.filled(shape: trace.input.shape) { dxBuffer in
            dz.withUnsafeBufferPointer { d in
                parameters[0].scalars.withUnsafeBufferPointer { w in
                    ip_dense_input_gradient(1, d.baseAddress, Int64(batch), Int32(outputSize), w.baseAddress, Int32(inputSize),
                                            dxBuffer.baseAddress)
                }
            }
        }
        return (dx, [dW, db])
    }
}
