/// Per-element mean and population variance of one layer's weight gradients over the
/// minibatches of an epoch (Welford's online algorithm, in Double).
///
/// From them, Saxe et al. 2018 (App. I; ibsgd's `LoggingReporter`) and Shwartz-Ziv &
/// Tishby 2017 (Fig. 4) plot, per layer and epoch:
/// - `meanNorm` = ‖mean_b g_b‖₂ (the *drift*),
/// - `stdNorm` = ‖std_b g_b‖₂ with the population standard deviation (ddof 0) taken
///   element-wise (the *diffusion*),
/// - their ratio, the gradient signal-to-noise ratio.
/// Every minibatch counts once, whatever its size (as in ibsgd).
public struct GradientMoments: Sendable {
    public private(set) var count: Int = 0
    private var mean: [Double]
    private var m2: [Double]

    public init(size: Int) {
        mean = [Double](repeating: 0, count: size)
        m2 = [Double](repeating: 0, count: size)
    }

    public mutating func reset() {
        count = 0
        for i in mean.indices { mean[i] = 0; m2[i] = 0 }
    }

    /// Adds one minibatch's gradient. - Complexity: O(size).
    public mutating func add(_ gradient: UnsafeBufferPointer<Float>) {
        count += 1
        let n = Double(count)
        mean.withUnsafeMutableBufferPointer { mean in
            m2.withUnsafeMutableBufferPointer { m2 in
                for i in 0..<mean.count {
                    let x = Double(gradient[i])
                    let delta = x - mean[i]
                    mean[i] += delta / n
                    m2[i] += delta * (x - mean[i])
                }
            }
        }
    }

    public var meanNorm: Double {
        mean.reduce(0) { $0 + $1 * $1 }.squareRoot()
    }

    public var stdNorm: Double {
        guard count > 0 else { return .nan }
        return (m2.reduce(0, +) / Double(count)).squareRoot()
    }
}
