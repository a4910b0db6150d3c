import RealModule

/// The transition from the high-SNR "drift" phase to the low-SNR "diffusion" phase of
/// SGD (Shwartz-Ziv & Tishby 2017, §4 and Fig. 4; Saxe et al. 2018, App. I), found in a
/// layer's gradient signal-to-noise ratio ‖mean g‖ / ‖std g‖ over the logged epochs.
///
/// Rule (a single least-squares change point): with s_i = log₁₀ SNR at the logged
/// epochs (finite, positive values only), choose the split k (at least 2 points on each
/// side) that minimises the residual sum of squares of a two-level fit (mean of s before
/// k, mean after); it is a transition only if the level drops (high → low). The
/// transition epoch is the first logged epoch after the split.
public enum SNRPhases {
    /// The transition epoch, or nil when the SNR does not drop or is too short.
    public static func transition(epochs: [Int], snr: [Double]) -> Int? {
        let points = zip(epochs, snr).filter { $0.1.isFinite && $0.1 > 0 }
        let n = points.count
        guard n >= 4 else { return nil }
        let s = points.map { Double.log10($0.1) }
        var prefix = [0.0], prefixSquares = [0.0]
        for v in s { prefix.append(prefix.last! + v); prefixSquares.append(prefixSquares.last! + v * v) }
        func residual(_ from: Int, _ to: Int) -> Double {
            let count = Double(to - from)
            let sum = prefix[to] - prefix[from]
            return (prefixSquares[to] - prefixSquares[from]) - sum * sum / count
        }
        var best: (k: Int, cost: Double)?
        for k in 2...(n - 2) {
            let cost = residual(0, k) + residual(k, n)
            if best == nil || cost < best!.cost { best = (k, cost) }
        }
        guard let split = best?.k else { return nil }
        let before = (prefix[split]) / Double(split)
        let after = (prefix[n] - prefix[split]) / Double(n - split)
        return after < before ? points[split].0 : nil
    }
}
