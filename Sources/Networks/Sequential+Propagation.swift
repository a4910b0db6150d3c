import Tensor

extension Sequential {
    /// Carries a signal from a layer's output back to the model's input through the
    /// graph, as backpropagation and relevance propagation do: each layer, from `start`
    /// down to the first, is handed the sum of what the layers consuming its output sent
    /// back, and sends one signal to each of its inputs. Layers no signal reaches are
    /// skipped. In a chain nothing is summed, so the bits are those of a plain loop.
    ///
    /// - Parameters:
    ///   - start: the layer whose output `seed` is the signal at.
    ///   - stop: when given, the signal at this layer's output is returned instead, once
    ///     every layer after it has sent its share (zeros when none reaches it).
    ///   - step: a layer's index and the signal at its output → the signals at its
    ///     inputs, in the order of ``inputs`` (empty when none is needed).
    /// - Returns: the signal at the model's input, `[batch, inputShape...]` (zeros when
    ///   none reaches it), or at `stop`'s output.
    public func propagateBack<E: Error>(from start: Int, seed: Tensor, stoppingAt stop: Int? = nil,
                                        _ step: (Int, Tensor) throws(E) -> [Tensor]) throws(E) -> Tensor {
        var pending = [Tensor?](repeating: nil, count: layers.count)
        pending[start] = seed
        var atInput: Tensor?
        for index in (0...start).reversed() {
            if index == stop { return pending[index] ?? Tensor.zeros([seed.rows] + outputShapes[index]) }
            guard let signal = pending[index] else { continue }
            pending[index] = nil
            let sent = try step(index, signal)
            for (source, part) in zip(inputs[index], sent) {
                if source < 0 {
                    atInput = Self.sum(atInput, part)
                } else {
                    pending[source] = Self.sum(pending[source], part)
                }
            }
        }
        return atInput ?? Tensor.zeros([seed.rows] + inputShape)
    }

    /// `a + b`, or `b` itself when there is no `a` yet.
    private static func sum(_ a: Tensor?, _ b: Tensor) -> Tensor {
        guard var a else { return b }
        b.scalars.withUnsafeBufferPointer { y in
            a.scalars.withUnsafeMutableBufferPointer { x in
                for i in x.indices { x[i] += y[i] }
            }
        }
        return a
    }
}
