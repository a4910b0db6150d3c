import CKernels
import Dispatch
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
/// follow (K_σ = K_{2σ}⁴), and each pair is computed once (K is symmetric). The exps and
/// sums of a row run in one pass in C (`CKernels`, AVX2 and FMA where the processor has
/// them, else SSE2; the two differ in the last bits). The
/// log-sum-exp needs no shift: the self term is exp(0) = 1. Samples are reordered by
/// class so that the within-class sums are contiguous.
/// - Complexity: O(n² · units / 2) time, O(n + block²) memory per core.
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

    static let block = 256
    static let parts = 8

    /// `[4n]`: per sample, Σ_j K_σ, Σ_{j in class} K_σ, Σ_j K_{2σ}, Σ_{j in class} K_{2σ}.
    static func kernelSums(_ h: Tensor, norms: [Float], classStart: [Int], classEnd: [Int], a: Float) -> [Double] {
        let n = h.rows, d = h.rowSize
        let blocks = (n + block - 1) / block
        let pairs: [(Int, Int)] = (0..<blocks).flatMap { b in (b..<blocks).map { (b, $0) } }
        let partCount = min(parts, pairs.count)
        let slots = ConcurrentSlots<[Double]>(count: partCount)
        let scalars = h.scalars
        // A fixed number of parts (not of workers), each summing its block pairs into its
        // own array, added in part order: the result does not depend on the worker count.
        Parallel.perform(iterations: partCount) { part in
            scalars.withUnsafeBufferPointer { xBuffer in
                norms.withUnsafeBufferPointer { normBuffer in
                    let x = xBuffer.baseAddress!, norm = normBuffer.baseAddress!
                    var sums = [Double](repeating: 0, count: 4 * n)
                    var gram = [Float](repeating: 0, count: block * block)
                    // Column sums of one block pair, in float (at most 256 terms each), and one
                    // row's four sums.
                    var columnSums = [Float](repeating: 0, count: 4 * block + 4)
                    let range = (pairs.count * part / partCount)..<(pairs.count * (part + 1) / partCount)
                    sums.withUnsafeMutableBufferPointer { out in
                        gram.withUnsafeMutableBufferPointer { g in
                            columnSums.withUnsafeMutableBufferPointer { columnBuffer in
                                let columnUpper = columnBuffer.baseAddress!, columnLower = columnUpper + block
                                let columnUpperOwn = columnUpper + 2 * block, columnLowerOwn = columnUpper + 3 * block
                                let row = columnUpper + 4 * block
                                for (b, c) in pairs[range] {
                                    let rowStart = b * block, rows = min(block, n - rowStart)
                                    let columnStart = c * block, columns = min(block, n - columnStart)
                                    BLAS.gemm(transposeB: true, m: rows, n: columns, k: d, a: x + rowStart * d,
                                              b: x + columnStart * d, c: g.baseAddress!)
                                    if c != b { columnUpper.update(repeating: 0, count: 4 * block) }
                                    for r in 0..<rows {
                                        let i = rowStart + r
                                        let ownFrom = min(max(classStart[i] - columnStart, 0), columns)
                                        let ownTo = min(max(classEnd[i] - columnStart, 0), columns)
                                        // One pass over the row (CKernels): the kernels of the row's
                                        // own class (a contiguous range) and of the others, added to the
                                        // row's sums and, off the diagonal, to the columns'.
                                        row.update(repeating: 0, count: 4)
                                        let off = c != b
                                        ip_kde_row(g.baseAddress! + r * columns, norm + columnStart, norm[i], a, Int32(columns),
                                                   Int32(ownFrom), Int32(ownTo), off ? columnUpper : nil, off ? columnLower : nil,
                                                   off ? columnUpperOwn : nil, off ? columnLowerOwn : nil, row)
                                        out[4 * i] += Double(row[0])
                                        out[4 * i + 1] += Double(row[1])
                                        out[4 * i + 2] += Double(row[2])
                                        out[4 * i + 3] += Double(row[3])
                                    }
                                    guard c != b else { continue }
                                    for j in 0..<columns {
                                        let o = 4 * (columnStart + j)
                                        out[o] += Double(columnUpper[j])
                                        out[o + 1] += Double(columnUpperOwn[j])
                                        out[o + 2] += Double(columnLower[j])
                                        out[o + 3] += Double(columnLowerOwn[j])
                                    }
                                }
                            }
                        }
                    }
                    slots.set(part, sums)
                }
            }
        }
        let partSums = slots.values
        var total = [Double](repeating: 0, count: 4 * n)
        for part in partSums { for k in total.indices { total[k] += part[k] } }
        return total
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
        // K is symmetric: each pair of row blocks (b ≤ c) is computed once and adds to
        // the rows of both. Work is cut into a fixed number of parts, each with its own
        // sums, added in part order, so results do not depend on the number of cores.
        let sums = Self.kernelSums(h, norms: norms, classStart: classStart, classEnd: classEnd, a: Float(1 / (8 * noiseVariance)))
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

