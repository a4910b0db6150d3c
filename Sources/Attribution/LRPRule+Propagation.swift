import Networks
import Tensor

extension LRPRule.InputModifier {
    /// The modified input, or nil when it is all zeros (its term then adds nothing but
    /// its bias).
    package func apply(_ x: Tensor) -> Tensor? {
        switch self {
        case .identity: return x
        case .positive:
            guard x.scalars.contains(where: { $0 > 0 }) else { return nil }
            return Tensor(shape: x.shape, scalars: x.scalars.map { max($0, 0) })
        case .negative:
            guard x.scalars.contains(where: { $0 < 0 }) else { return nil }
            return Tensor(shape: x.shape, scalars: x.scalars.map { min($0, 0) })
        case .ones: return Tensor(shape: x.shape, repeating: 1)
        case .constant(let value): return value == 0 ? nil : Tensor(shape: x.shape, repeating: value)
        }
    }
}

extension LRPRule {
    /// Relevance at the layer's input from relevance at its output.
    ///
    /// - Parameters:
    ///   - relevance: `[batch, out...]`, at the layer's output (an element-wise activation
    ///     passes relevance unchanged, so this is also the relevance of the pre-activation).
    ///   - layer: the affine layer, with its trained parameters.
    ///   - input: the layer's input `[batch, in...]` from the forward pass.
    /// - Returns: `[batch, in...]`.
    /// - Complexity: per term one forward and one transposed affine map (two GEMMs);
    ///   terms whose modified input is all zero (x⁻ after a ReLU) cost no GEMM.
    public func propagate(_ relevance: Tensor, through layer: some AffineLayer, input: Tensor) -> Tensor {
        let weights = layer.parameters[0], bias = layer.parameters[1]
        let inputShape = Array(input.shape.dropFirst())
        let plain: Tensor? = needsPlainOutput ? layer.affine(input, weights: weights, bias: bias) : nil
        var result = [Float](repeating: 0, count: input.count)
        for group in groups {
            var denominator = [Float](repeating: 0, count: relevance.count)
            var prepared: [(input: Tensor, weights: Tensor, sign: Float)] = []
            for term in group.terms {
                let w = term.parameters == .identity ? weights : Tensor(shape: weights.shape, scalars: weights.scalars.map { term.parameters($0) })
                let b: Tensor? = term.bias == .none ? nil
                    : term.parameters == .identity || term.bias == .raw ? bias : Tensor(shape: bias.shape, scalars: bias.scalars.map { term.parameters($0) })
                if let x = term.input.apply(input) {
                    let z = layer.affine(x, weights: w, bias: b)
                    accumulate(&denominator, z.scalars, scale: term.sign)
                    prepared.append((x, w, term.sign))
                } else if let b {
                    // Only the bias reaches the output: broadcast it over batch and positions.
                    let width = b.count
                    for i in denominator.indices { denominator[i] += term.sign * b.scalars[i % width] }
                }
            }
            guard !prepared.isEmpty else { continue }
            var s = quotients(relevance.scalars, denominator)
            if let plain {
                plain.scalars.withUnsafeBufferPointer { z in
                    s.withUnsafeMutableBufferPointer { s in
                        switch group.gate {
                        case .all: break
                        case .positiveOutput: for i in 0..<s.count where !(z[i] > 0) { s[i] = 0 }
                        case .negativeOutput: for i in 0..<s.count where !(z[i] < 0) { s[i] = 0 }
                        }
                    }
                }
            }
            let sTensor = Tensor(shape: relevance.shape, scalars: s)
            for (x, w, sign) in prepared {
                let c = layer.transposed(sTensor, weights: w, inputShape: inputShape)
                let scale = group.coefficient * sign
                for i in result.indices { result[i] += scale * x.scalars[i] * c.scalars[i] }
            }
        }
        return Tensor(shape: input.shape, scalars: result)
    }

    /// s_i = R_i / stabilizer(z_i), on buffers with the stabiliser a local constant (so
    /// that its mode's switch leaves the loop and the divisions vectorise: in the scalar
    /// loop with the array's checks their latency was a fifth of an LRP pass); the same
    /// operations, so the same bits.
    private func quotients(_ relevance: [Float], _ denominator: [Float]) -> [Float] {
        let stabilize = stabilizer
        return [Float](unsafeUninitializedCapacity: relevance.count) { out, initialized in
            relevance.withUnsafeBufferPointer { r in
                denominator.withUnsafeBufferPointer { d in
                    for i in 0..<r.count { out[i] = r[i] / stabilize(d[i]) }
                }
            }
            initialized = relevance.count
        }
    }

    private func accumulate(_ into: inout [Float], _ values: [Float], scale: Float) {
        for i in into.indices { into[i] += scale * values[i] }
    }
}
