import Attribution
import Networks
import Tensor

/// The memory an explanation study holds at its peak, computed from the model and the
/// options before any map is made (``ExplanationStudy/run(_:epoch:options:)`` refuses a
/// plan beyond ``MemoryBudget``). An estimate that errs high, in float32 values:
///
/// - persistent: the explained inputs and every method's maps (twice: the study's and
///   the cascading randomisation's), the model's parameters three times (the model, its
///   randomised copy, a rebuilt one);
/// - the largest of the passes at once: a forward and backward pass over the explained
///   samples (each node's output, pre-activation, gradient and relevance: 4 values per
///   unit); a faithfulness curve, which sends steps + 1 perturbed copies of one sample
///   forward (2 values per unit); occlusion, which sends one copy per window position
///   (at most one per input position) forward.
package struct ExplanationPlan: Sendable, Equatable {
    package var memoryBytes: Int

    package init(model: Sequential, samples: Int, methods: Int, faithfulnessSteps: Int?, occlusion: Bool) {
        let input = model.inputShape.reduce(1, *)
        let units = MemoryBudget.sum(input, model.outputShapes.reduce(0) { MemoryBudget.sum($0, $1.reduce(1, *)) })
        let parameters = model.layers.reduce(0) { total, layer in layer.parameters.reduce(total) { MemoryBudget.sum($0, $1.count) } }
        let persistent = MemoryBudget.sum(MemoryBudget.product(samples, input, 4, 1 + 2 * methods), MemoryBudget.product(parameters, 4, 3))
        var pass = MemoryBudget.product(samples, units, 16)
        if let steps = faithfulnessSteps { pass = max(pass, MemoryBudget.product(steps + 1, units, 8)) }
        if occlusion { pass = max(pass, MemoryBudget.product(model.inputShape.count == 3 ? model.inputShape[0] * model.inputShape[1] : input, units, 8)) }
        memoryBytes = MemoryBudget.sum(persistent, pass)
    }

    /// Throws with the numbers when the plan does not fit in `limit`.
    package func check(samples: Int, steps: Int?, limit: Int = MemoryBudget.bytes) throws(ExplanationError) {
        let what = "explaining \(samples) samples" + (steps.map { " with \($0) faithfulness steps" } ?? "")
        if let shortfall = MemoryBudget.shortfall(memoryBytes, for: what, limit: limit) {
            throw ExplanationError(shortfall + "; explain fewer samples (--count, --inputs) or use fewer --steps")
        }
    }
}
