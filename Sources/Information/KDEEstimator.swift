import RealModule
import Tensor

/// Mutual information of a layer with additive Gaussian noise, T = h(X) + N(0, σ²I),
/// bounded from above and below by Kolchinsky & Tracey's pairwise-distance estimators
/// of the entropy of a mixture of Gaussians ("Estimating mixture entropy with pairwise
/// distances", Entropy 2017), as Saxe et al. 2018 use them (their `kde.py`).
///
/// With the n samples' activations h_i and K_σ(i, j) = exp(−‖h_i − h_j‖² / (2σ²)):
///
///     I(X;T) ≤ −(1/n) Σ_i log[(1/n) Σ_j K_σ(i, j)]                  (upper, KL bound)
///     I(X;T) ≥ −(1/n) Σ_i log[(1/n) Σ_j K_{2σ}(i, j)]               (lower: 4σ² in place of σ²)
///     I(T;Y) ≈ that term − Σ_l p_l · (the same term within class l)
///
/// (the noise entropy and the Gaussian normalisation cancel). Results in **bits** (the
/// nats divided by ln 2). The upper bound tends to log₂ n for σ² → 0 with distinct
/// points and to 0 for σ² → ∞. σ² = 0.1 in the paper, 1e-3 in the ibsgd notebook.
///
/// Pairwise squared distances come from one `sgemm` per block of rows
/// (‖a‖² + ‖b‖² − 2a·b, clamped at 0); each pair costs one exp, from which both kernels
/// follow (K_σ = K_{2σ}⁴). The log-sum-exp needs no shift: the self term is exp(0) = 1.
/// Samples are reordered by class so that the within-class sums are contiguous.
/// - Complexity: O(n² · units) time, O(block · n) memory; row blocks run on all cores.
public struct KDEEstimator: Sendable, Equatable {
    /// σ², the variance of the added Gaussian noise.
    public var noiseVariance: Double

    public init(noiseVariance: Double) {
        self.noiseVariance = noiseVariance
    }

    public struct Bounds: Sendable, Equatable {
        public var upper: (ixt: Double, ity: Double)
        public var lower: (ixt: Double, ity: Double)

        public static func == (a: Bounds, b: Bounds) -> Bool {
            a.upper == b.upper && a.lower == b.lower
        }
    }

    /// Σ_j K_{2σ}(i, j) and Σ_j K_σ(i, j) over columns `from..<to` of one row of the Gram
    /// matrix: one exp per pair, K_σ = K_{2σ}⁴. Straight-line float code that vectorises.
    @inline(__always)
    static func kernelSums(_ gram: UnsafeMutablePointer<Float>, _ norms: UnsafePointer<Float>, from: Int, to: Int,
                           ni: Float, a: Float) -> (lower: Float, upper: Float) {
        var lower: Float = 0, upper: Float = 0
        var j = from
        while j < to {
            let distance = max(0, ni + norms[j] - 2 * gram[j])
            let e = Kernels.fastExp(-distance * a)
            let e2 = e * e
            // Relaxed: the order of the sum does not matter here, and allowing the
            // compiler to reassociate is what lets this loop vectorise.
            lower = Relaxed.sum(lower, e)
            upper = Relaxed.multiplyAdd(e2, e2, upper)
            j &+= 1
        }
        return (lower, upper)
    }

    /// Upper and lower estimates of (I(X;T), I(T;Y)) in bits for activations
    /// `[n, units]` and labels `[n]`.
    public func estimate(_ activations: Tensor, labels: [Int32]) -> Bounds {
        let n = activations.rows
        let d = activations.rowSize
        guard n > 0 else { return Bounds(upper: (0, 0), lower: (0, 0)) }
        // Order samples by class; remember each class's column range.
        let order = labels.indices.sorted { labels[$0] != labels[$1] ? labels[$0] < labels[$1] : $0 < $1 }
        let h = activations.gatherRows(order)
        let sortedLabels = order.map { labels[$0] }
        var classStart = [Int](repeating: 0, count: n), classEnd = [Int](repeating: 0, count: n)
        var start = 0
        while start < n {
            var end = start
            while end < n && sortedLabels[end] == sortedLabels[start] { end += 1 }
            for i in start..<end { classStart[i] = start; classEnd[i] = end }
            start = end
        }
        var norms = [Float](repeating: 0, count: n)
        h.scalars.withUnsafeBufferPointer { x in
            for i in 0..<n {
                var s: Float = 0
                for k in 0..<d { s += x[i * d + k] * x[i * d + k] }
                norms[i] = s
            }
        }
        // Per row: Σ_j K over all j and over j in the row's class, for both kernels.
        var sums = [Double](repeating: 0, count: 4 * n)
        let a = Float(1 / (8 * noiseVariance))
        let block = 256
        let blocks = (n + block - 1) / block
        h.scalars.withUnsafeBufferPointer { xBuffer in
            norms.withUnsafeBufferPointer { normBuffer in
                sums.withUnsafeMutableBufferPointer { sumBuffer in
                    let x = xBuffer.baseAddress!, norm = normBuffer.baseAddress!
                    nonisolated(unsafe) let out = sumBuffer.baseAddress!
                    Parallel.forEachRange(blocks) { range in
                        var gram = [Float](repeating: 0, count: block * n)
                        gram.withUnsafeMutableBufferPointer { g in
                            for b in range {
                                let first = b * block, rows = min(block, n - first)
                                BLAS.gemm(transposeB: true, m: rows, n: n, k: d, a: x + first * d, b: x, c: g.baseAddress!)
                                for r in 0..<rows {
                                    let i = first + r
                                    let row = g.baseAddress! + r * n
                                    let ni = norm[i]
                                    let (s0, e0) = (classStart[i], classEnd[i])
                                    let before = Self.kernelSums(row, norm, from: 0, to: s0, ni: ni, a: a)
                                    let own = Self.kernelSums(row, norm, from: s0, to: e0, ni: ni, a: a)
                                    let after = Self.kernelSums(row, norm, from: e0, to: n, ni: ni, a: a)
                                    out[4 * i] = Double(before.upper) + Double(own.upper) + Double(after.upper)
                                    out[4 * i + 1] = Double(own.upper)
                                    out[4 * i + 2] = Double(before.lower) + Double(own.lower) + Double(after.lower)
                                    out[4 * i + 3] = Double(own.lower)
                                }
                            }
                        }
                    }
                }
            }
        }
        let count = Double(n)
        var hUpper = 0.0, hUpperClass = 0.0, hLower = 0.0, hLowerClass = 0.0
        for i in 0..<n {
            let classSize = Double(classEnd[i] - classStart[i])
            hUpper -= Double.log(sums[4 * i] / count)
            hUpperClass -= Double.log(sums[4 * i + 1] / classSize)
            hLower -= Double.log(sums[4 * i + 2] / count)
            hLowerClass -= Double.log(sums[4 * i + 3] / classSize)
        }
        let toBits = 1 / (count * Double.log(2))
        return Bounds(upper: (hUpper * toBits, max(0, (hUpper - hUpperClass) * toBits)),
                      lower: (hLower * toBits, max(0, (hLower - hLowerClass) * toBits)))
    }
}
