/// Data-processing-inequality check along the layers.
///
/// When a layer T_j is a function of an earlier layer T_i (every path from the input to
/// T_j passes through T_i), X → T_i → T_j is a Markov chain, so the true quantities
/// satisfy I(X;T_i) ≥ I(X;T_j) and I(T_i;Y) ≥ I(T_j;Y). In a chain of layers the pairs are
/// consecutive layers (k, k+1); in a graph each layer is paired with its immediate
/// dominator (``dominatorPairs(inputs:)``): a residual sum x + F(x) with the block's input
/// x, not with the branch F(x) it is not a function of. An estimate that breaks the
/// inequality reports on the estimator, not the network. A violation is recorded when
/// the later layer exceeds the earlier by more than `tolerance` bits.
public enum DPICheck {
    /// Two layers the inequality compares: `later` is a function of `earlier`.
    public struct Pair: Sendable, Equatable, Hashable {
        public var earlier: Int
        public var later: Int

        public init(earlier: Int, later: Int) {
            self.earlier = earlier
            self.later = later
        }
    }

    public struct Violation: Sendable, Equatable {
        public var run: Int
        public var epoch: Int
        /// The earlier layer's index.
        public var layer: Int
        /// The later layer's index (a function of `layer`).
        public var later: Int
        /// "ixt" or "ity".
        public var quantity: String
        /// How much the later layer exceeds the earlier, in bits.
        public var size: Double

        public init(run: Int, epoch: Int, layer: Int, later: Int, quantity: String, size: Double) {
            self.run = run
            self.epoch = epoch
            self.layer = layer
            self.later = later
            self.quantity = quantity
            self.size = size
        }
    }

    /// The pairs of a chain of `count` layers: (k, k+1).
    public static func chainPairs(_ count: Int) -> [Pair] {
        (0..<max(0, count - 1)).map { Pair(earlier: $0, later: $0 + 1) }
    }

    /// Each layer paired with its immediate dominator, the nearest earlier layer every
    /// path from the input to it passes through (layers whose only dominator is the input
    /// itself have no pair). `inputs[j]` lists the layers layer j consumes (−1: the
    /// model's input), all earlier than j. For a chain these are ``chainPairs(_:)``.
    public static func dominatorPairs(inputs: [[Int]]) -> [Pair] {
        dominators(inputs: inputs).enumerated().compactMap { j, dominating in
            dominating.subtracting([j]).max().map { Pair(earlier: $0, later: j) }
        }
    }

    /// For each layer j, the layers every path from the input to j passes through, j
    /// included (the input itself, −1, is left out). The last layer's set holds the
    /// layers on every path to the output; the others lie on a branch.
    public static func dominators(inputs: [[Int]]) -> [Set<Int>] {
        var dominators: [Set<Int>] = []
        for (j, sources) in inputs.enumerated() {
            var common: Set<Int>? = nil
            for source in sources {
                let set: Set<Int> = source < 0 ? [] : dominators[source]
                common = common.map { $0.intersection(set) } ?? set
            }
            dominators.append((common ?? []).union([j]))
        }
        return dominators
    }

    /// Sizes `[epoch][pair]` (0 where the inequality holds) for one run's `[epoch][layer]`
    /// series.
    public static func sizes(_ series: [[Double]], pairs: [Pair], tolerance: Double = 1e-9) -> [[Double]] {
        series.map { row in
            pairs.map { pair in
                guard row.indices.contains(pair.earlier), row.indices.contains(pair.later) else { return 0 }
                let excess = row[pair.later] - row[pair.earlier]
                return excess > tolerance && excess.isFinite ? excess : 0
            }
        }
    }

    /// Every violation of both inequalities in runs' `[epoch][layer]` series.
    public static func violations(ixt: [[[Double]]], ity: [[[Double]]], epochs: [Int], pairs: [Pair], tolerance: Double = 1e-9) -> [Violation] {
        var found: [Violation] = []
        for (quantity, runs) in [("ixt", ixt), ("ity", ity)] {
            for (r, series) in runs.enumerated() {
                for (e, row) in sizes(series, pairs: pairs, tolerance: tolerance).enumerated() {
                    for (p, size) in row.enumerated() where size > 0 {
                        found.append(Violation(run: r, epoch: epochs[e], layer: pairs[p].earlier, later: pairs[p].later, quantity: quantity, size: size))
                    }
                }
            }
        }
        return found
    }
}
