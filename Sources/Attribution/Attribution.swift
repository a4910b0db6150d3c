import Diagnostics
import Networks
import Tensor

/// An attribution map for a batch: how much each input element contributed to the
/// explained output (one class logit per sample).
public struct Attribution: Sendable {
    /// The method, e.g. `lrp:epsilon_plus`, `gradient`, `integrated_gradients`.
    public var method: String
    /// `[batch, input...]`, the shape of the inputs.
    public var map: Tensor
    /// The explained class per sample.
    public var targets: [Int]
    /// The explained logit per sample (the model's output for the target class).
    public var explained: [Float]
    /// Relevance methods only: per sample, `[layer + 1][sample]`, index 0 the input map's
    /// total and index k + 1 the relevance layer k's output received (in a chain, layer
    /// k + 1's input); the last row is the relevance put at the output. In a graph a
    /// branch receives only its share: the whole arrives at the layers every path passes
    /// through. Empty for gradient methods.
    public var layerTotals: [[Double]]
    /// Integrated Gradients: Σ map − (F(x) − F(baseline)) per sample.
    public var completenessGap: [Double]

    public init(method: String, map: Tensor, targets: [Int], explained: [Float], layerTotals: [[Double]] = [], completenessGap: [Double] = []) {
        self.method = method
        self.map = map
        self.targets = targets
        self.explained = explained
        self.layerTotals = layerTotals
        self.completenessGap = completenessGap
    }

    /// The map of one sample, `[input...]` flattened.
    public func sample(_ index: Int) -> [Float] {
        let size = map.rowSize
        return Array(map.scalars[(index * size)..<((index + 1) * size)])
    }

    /// Σ map per sample.
    public var totals: [Double] { Attribution.rowTotals(map) }

    /// Σ over each row of `[batch, ...]`, in Double.
    package static func rowTotals(_ t: Tensor) -> [Double] {
        let size = t.rowSize
        return (0..<t.rows).map { b in t.scalars[(b * size)..<((b + 1) * size)].reduce(0) { $0 + Double($1) } }
    }
}

/// Which class each sample's explanation is about.
public enum Target: Sendable, Hashable {
    /// The model's prediction (the largest logit).
    case predicted
    /// The same class for every sample.
    case `class`(Int)
    /// One class per sample (e.g. the labels).
    case classes([Int])

    /// The classes for `logits` `[batch, classes]`.
    public func resolve(_ logits: Tensor) -> [Int] {
        let width = logits.rowSize
        switch self {
        case .class(let c): return Array(repeating: c, count: logits.rows)
        case .classes(let cs): return cs
        case .predicted:
            return (0..<logits.rows).map { b in
                let row = logits.scalars[(b * width)..<((b + 1) * width)]
                return (row.indices.max { row[$0] < row[$1] } ?? b * width) - b * width
            }
        }
    }
}

/// What cannot be explained: a target outside the classes, inputs of the wrong shape.
public struct ExplanationError: LabError, Equatable {
    public var failure: FailureKind { .input }

    /// The model's node (layer) the problem is at, when it is at one.
    public var node: String?
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public init(node: String, _ reason: String) {
        self.node = node
        self.reason = reason
    }
    public var description: String { node.map { "layer \($0): \(reason)" } ?? reason }
}

extension Sequential {
    /// One forward pass of inputs `[batch, inputShape...]`, checked first, and the targets
    /// resolved on its logits and checked: every method starts here.
    package func resolvedForward(_ inputs: Tensor, _ target: Target) throws(ExplanationError) -> (traces: [LayerTrace], targets: [Int], logits: Tensor) {
        guard Array(inputs.shape.dropFirst()) == inputShape else {
            throw ExplanationError("inputs have per-sample shape \(Array(inputs.shape.dropFirst())), the model expects \(inputShape)")
        }
        let traces = forward(inputs)
        let logits = traces.last?.output ?? inputs
        let targets = target.resolve(logits)
        guard targets.count == inputs.rows else {
            throw ExplanationError("\(targets.count) targets for \(inputs.rows) inputs")
        }
        if let bad = targets.first(where: { !(0..<outputSize).contains($0) }) {
            throw ExplanationError("target class \(bad) is outside 0..<\(outputSize)")
        }
        return (traces, targets, logits)
    }

    /// The logit of each sample's target.
    package static func pick(_ logits: Tensor, _ targets: [Int]) -> [Float] {
        let width = logits.rowSize
        return targets.enumerated().map { logits.scalars[$0.offset * width + $0.element] }
    }
}
