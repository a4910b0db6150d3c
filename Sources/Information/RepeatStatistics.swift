import Tensor

/// Statistics across repeats for one (estimator, quantity): mean, standard deviation
/// (ddof 1) and a percentile bootstrap confidence interval of the mean, per logged epoch
/// and layer; and per run the epoch of the peak of I(X;T) and the compression after it.
public struct RepeatStatistics: Sendable {
    /// `[epoch][layer]`
    public var mean: [[Double]]
    public var std: [[Double]]
    /// 95% percentile-bootstrap interval of the mean (2000 resamples, seeded).
    public var lower: [[Double]]
    public var upper: [[Double]]

    /// - Parameters:
    ///   - values: `[run][epoch][layer]`, all runs with the same epochs.
    ///   - resamples: bootstrap resamples; 0 skips the interval (`lower`/`upper` are the
    ///     mean), for figures that need only the mean and s.d.
    public init(_ values: [[[Double]]], resamples: Int = 2000, seed: UInt64 = 1) {
        let runs = values.count
        let epochs = values.first?.count ?? 0
        let layers = values.first?.first?.count ?? 0
        var rng = SeededRNG(seed: seed)
        // One set of resampling indices shared by every cell keeps the cost at
        // O(resamples · runs) per cell and the intervals consistent across cells.
        let draws = (0..<resamples).map { _ in (0..<runs).map { _ in rng.int(below: max(runs, 1)) } }
        mean = []; std = []; lower = []; upper = []
        for e in 0..<epochs {
            var m: [Double] = [], s: [Double] = [], lo: [Double] = [], hi: [Double] = []
            for l in 0..<layers {
                let sample = values.map { $0[e][l] }
                let average = sample.reduce(0, +) / Double(runs)
                m.append(average)
                s.append(runs > 1 ? (sample.reduce(0) { $0 + ($1 - average) * ($1 - average) } / Double(runs - 1)).squareRoot() : 0)
                if runs > 1 && resamples > 0 {
                    var means = draws.map { draw in draw.reduce(0) { $0 + sample[$1] } / Double(runs) }
                    means.sort()
                    lo.append(means[Int(0.025 * Double(resamples - 1))])
                    hi.append(means[Int(0.975 * Double(resamples - 1))])
                } else {
                    lo.append(average)
                    hi.append(average)
                }
            }
            mean.append(m); std.append(s); lower.append(lo); upper.append(hi)
        }
    }

    /// The median of `values`: the middle value, or the mean of the two middle values
    /// for an even count (two runs at 9.1% and 46.7% have the median 27.9%, not 46.7%);
    /// nil for none. NaN values are left out.
    public static func median(_ values: [Double]) -> Double? {
        let sorted = values.filter { !$0.isNaN }.sorted()
        guard !sorted.isEmpty else { return nil }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// An epoch statistic as text: whole epochs as integers, a median between two as `150.5`.
    public static func epochText(_ epoch: Double) -> String {
        epoch == epoch.rounded() && abs(epoch) < 1e15 ? String(Int(epoch)) : String((epoch * 10).rounded() / 10)
    }

    /// Per layer: the index of the epoch where `series` (`[epoch][layer]`) peaks, the
    /// drop from the peak to the last epoch in bits, and that drop as a fraction of the peak.
    public static func peaks(_ series: [[Double]]) -> [(peakIndex: Int, compressionBits: Double, compressionFraction: Double)] {
        guard let layers = series.first?.count else { return [] }
        return (0..<layers).map { l in
            let column = series.map { $0[l] }
            let peak = column.indices.max { column[$0] < column[$1] } ?? 0
            let drop = column[peak] - (column.last ?? column[peak])
            return (peak, drop, column[peak] > 0 ? drop / column[peak] : 0)
        }
    }
}
