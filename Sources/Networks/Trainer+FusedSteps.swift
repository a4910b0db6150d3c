import CKernels
import Tensor

/// A minibatch's forward and backward pass in one C call (`ip_mlp_gradients`) for a model
/// whose every layer is a dense layer on the fused kernels with a linear, tanh or ReLU
/// activation: the same operations as the per-layer passes and
/// ``SoftmaxCrossEntropy/lossAndGradient(logits:labels:)``, so the same bits (tested),
/// without the dozens of tensors a step otherwise allocates.
struct FusedSteps {
    let widths: [Int32]
    let activations: [Int32]
    /// The parameters, layer after layer (weights, then bias), as the kernel reads them.
    private var parameters: [Float] = []
    private var workspace: [Float] = []

    /// nil when some layer is not such a dense layer, or the examples do not fit the model
    /// (rows of another width, a label that is not a class): the kernel reads them
    /// unchecked.
    init?(_ model: Sequential, examples: Examples) {
        // One C call runs a chain of dense layers; graphs take the per-layer passes.
        guard model.isChain, model.inputShape.count == 1, !model.layers.isEmpty, model.layers.count <= 256,
              examples.inputs.rank == 2, examples.inputs.rowSize == model.inputShape[0],
              examples.inputs.rows == examples.labels.count else { return nil }
        let labels = examples.labels
        var widths = [Int32(model.inputShape[0])]
        var activations: [Int32] = []
        for layer in model.layers {
            guard let dense = layer as? Dense, dense.usesFusedKernels, Int32(dense.inputSize) == widths.last else { return nil }
            switch dense.activation {
            case .linear: activations.append(Int32(ip_mlp_linear))
            case .tanh: activations.append(Int32(ip_mlp_tanh))
            case .relu: activations.append(Int32(ip_mlp_relu))
            // The C kernel has these three; any other activation takes the per-layer passes.
            case .sigmoid, .softsign, .softplus, .elu, .leakyRelu, .relu6, .hardsigmoid, .hardswish, .gelu, .geluTanh: return nil
            }
            widths.append(Int32(dense.outputSize))
        }
        let classes = widths[widths.count - 1]
        guard labels.allSatisfy({ $0 >= 0 && $0 < classes }) else { return nil }
        self.widths = widths
        self.activations = activations
    }

    /// The minibatch `rows`' loss terms (their logarithms not yet taken) and gradients
    /// (`[layer][weights, bias]`) at `model`.
    mutating func gradients(_ model: Sequential, examples: Examples, rows: ArraySlice<Int>) -> (loss: LossTerms, gradients: [[Tensor]]) {
        parameters.removeAll(keepingCapacity: true)
        var shapes: [[Int]] = []
        shapes.reserveCapacity(2 * model.layers.count)
        for layer in model.layers {
            for tensor in layer.parameters {
                parameters.append(contentsOf: tensor.scalars)
                shapes.append(tensor.shape)
            }
        }
        let count = Int(ip_mlp_workspace_floats(Int32(widths.count - 1), widths, Int64(rows.count)))
        if workspace.count < count { workspace = [Float](repeating: 0, count: count) }
        var terms = [Float](repeating: 0, count: 2 * rows.count)
        var flat = [Float](repeating: 0, count: parameters.count)
        flat.withUnsafeMutableBufferPointer { gradients in
            terms.withUnsafeMutableBufferPointer { terms in
                Self.run(widths: widths, activations: activations, parameters: parameters, examples: examples, rows: rows,
                         workspace: &workspace, gradients: gradients, terms: terms)
            }
        }
        var offset = 0
        let gradients: [[Tensor]] = stride(from: 0, to: shapes.count, by: 2).map { index in
            (index..<(index + 2)).map { p in
                let size = shapes[p].reduce(1, *)
                defer { offset += size }
                return Tensor(shape: shapes[p], scalars: Array(flat[offset..<(offset + size)]))
            }
        }
        return (LossTerms(pairs: terms), gradients)
    }

    /// The kernel call: every gradient written to `gradients`, each sample's loss terms to `terms`.
    private static func run(widths: [Int32], activations: [Int32], parameters: [Float], examples: Examples, rows: ArraySlice<Int>,
                            workspace: inout [Float], gradients: UnsafeMutableBufferPointer<Float>,
                            terms: UnsafeMutableBufferPointer<Float>) {
        rows.withUnsafeBufferPointer { indices in
            indices.withMemoryRebound(to: Int64.self) { indices in
                examples.inputs.scalars.withUnsafeBufferPointer { inputs in
                    examples.labels.withUnsafeBufferPointer { labels in
                        workspace.withUnsafeMutableBufferPointer { space in
                            _ = ip_mlp_gradients(1, Int32(widths.count - 1), widths, activations, parameters, inputs.baseAddress,
                                                 indices.baseAddress, Int64(indices.count), labels.baseAddress, space.baseAddress,
                                                 gradients.baseAddress, terms.baseAddress)
                        }
                    }
                }
            }
        }
    }
}

extension Trainer {
    /// One minibatch's loss and gradients at `model`: by the fused steps when the model
    /// takes them, else by the layers' own passes.
    static func step(_ fused: inout FusedSteps?, model: Sequential, examples: Examples,
                     rows: ArraySlice<Int>) -> (loss: MinibatchEvent.StoredLoss, gradients: [[Tensor]]) {
        if let result = fused?.gradients(model, examples: examples, rows: rows) { return (.terms(result.loss), result.gradients) }
        let (loss, gradients) = Self.gradients(model, examples: examples, rows: rows)
        return (.terms(loss), gradients)
    }
}
