import RealModule
import Tensor

/// Softmax cross-entropy on logits, averaged over the batch, in nats:
/// `L = (1/B) Σ_b [log Σ_k exp(z_bk) − z_b,y_b]`, evaluated with the log-sum-exp
/// shifted by each row's maximum so that no exponential overflows.
/// Gradient: `∂L/∂z_bk = (softmax(z_b)_k − [k = y_b]) / B`.
public struct SoftmaxCrossEntropy: Sendable {
    public init() {}

    /// Per-sample losses (nats) and whether the arg-max logit is the label.
    /// - Complexity: O(batch · classes).
    public func evaluate(logits: Tensor, labels: ArraySlice<Int32>) -> (losses: [Double], correct: [Bool]) {
        let classes = logits.rowSize
        var losses = [Double](repeating: 0, count: logits.rows)
        var correct = [Bool](repeating: false, count: logits.rows)
        logits.scalars.withUnsafeBufferPointer { z in
            for b in 0..<logits.rows {
                let row = z.baseAddress! + b * classes
                var maximum = -Float.infinity
                var best = 0
                for k in 0..<classes where row[k] > maximum {
                    maximum = row[k]
                    best = k
                }
                // Σ exp(z − max) ∈ [1, classes]: float exp and log keep ~1e-7 relative error.
                var sum: Float = 0
                for k in 0..<classes { sum += Float.exp(row[k] - maximum) }
                let label = Int(labels[labels.startIndex + b])
                losses[b] = Double(Float.log(sum)) - Double(row[label] - maximum)
                correct[b] = best == label
            }
        }
        return (losses, correct)
    }

    /// The mean loss and its gradient with respect to the logits.
    public func lossAndGradient(logits: Tensor, labels: ArraySlice<Int32>) -> (loss: Double, gradient: Tensor) {
        let (terms, gradient) = gradientAndLossTerms(logits: logits, labels: labels)
        return (terms.mean, gradient)
    }

    /// The gradient with respect to the logits, and the loss before its logarithms
    /// (``LossTerms``: per sample, the sum of the shifted exponentials and the label's
    /// shifted logit), which the trainer keeps until an observer reads the loss; its
    /// ``LossTerms/mean`` is ``lossAndGradient(logits:labels:)``'s loss, bit for bit.
    func gradientAndLossTerms(logits: Tensor, labels: ArraySlice<Int32>) -> (terms: LossTerms, gradient: Tensor) {
        let batch = logits.rows
        let classes = logits.rowSize
        var gradient = logits.scalars
        var pairs = [Float](repeating: 0, count: 2 * batch)
        gradient.withUnsafeMutableBufferPointer { g in
            let inverseBatch = 1 / Float(batch)
            for b in 0..<batch {
                let row = UnsafeMutableBufferPointer(rebasing: g[(b * classes)..<((b + 1) * classes)])
                var maximum = -Float.infinity
                for v in row { maximum = max(maximum, v) }
                let label = Int(labels[labels.startIndex + b])
                let shiftedLabel = row[label] - maximum
                var sum: Float = 0
                for k in row.indices {
                    let e = Float.exp(row[k] - maximum)
                    row[k] = e
                    sum += e
                }
                (pairs[2 * b], pairs[2 * b + 1]) = (sum, shiftedLabel)
                let scale = inverseBatch / sum
                for k in row.indices { row[k] *= scale }
                row[label] -= inverseBatch
            }
        }
        return (LossTerms(pairs: pairs), Tensor(shape: logits.shape, scalars: gradient))
    }
}
