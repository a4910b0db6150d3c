/// Data-processing-inequality check along the layers.
///
/// X → T₁ → T₂ → … → T_L is a Markov chain (each layer is a function of the previous),
/// so the true quantities satisfy I(X;T_k) ≥ I(X;T_{k+1}) and I(T_k;Y) ≥ I(T_{k+1};Y).
/// An estimate that breaks them reports on the estimator, not the network. A violation
/// is recorded when the later layer exceeds the earlier by more than `tolerance` bits.
public enum DPICheck {
    public struct Violation: Sendable, Equatable {
        public var run: Int
        public var epoch: Int
        /// The earlier layer's index; the pair is (layer, layer + 1).
        public var layer: Int
        /// "ixt" or "ity".
        public var quantity: String
        /// How much the later layer exceeds the earlier, in bits.
        public var size: Double
    }

    /// Sizes `[epoch][layer pair]` (0 where the inequality holds) for one run's
    /// `[epoch][layer]` series.
    public static func sizes(_ series: [[Double]], tolerance: Double = 1e-9) -> [[Double]] {
        series.map { row in
            (0..<max(0, row.count - 1)).map { l in
                let excess = row[l + 1] - row[l]
                return excess > tolerance && excess.isFinite ? excess : 0
            }
        }
    }

    /// Every violation of both inequalities in runs' `[epoch][layer]` series.
    public static func violations(ixt: [[[Double]]], ity: [[[Double]]], epochs: [Int], tolerance: Double = 1e-9) -> [Violation] {
        var found: [Violation] = []
        for (quantity, runs) in [("ixt", ixt), ("ity", ity)] {
            for (r, series) in runs.enumerated() {
                for (e, row) in sizes(series, tolerance: tolerance).enumerated() {
                    for (l, size) in row.enumerated() where size > 0 {
                        found.append(Violation(run: r, epoch: epochs[e], layer: l, quantity: quantity, size: size))
                    }
                }
            }
        }
        return found
    }
}
