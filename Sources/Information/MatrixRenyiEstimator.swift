import RealModule
import Tensor

/// The matrix-based Rényi α-entropy (Sánchez Giraldo, Rao & Príncipe 2015, "Measures of
/// entropy from data using infinitely divisible kernels", IEEE Trans. Inf. Theory 61(1),
/// eq. 8 and Def. 4), as used for the information plane of wide and convolutional layers
/// by Yu, Wickstrøm, Jenssen & Príncipe 2021 ("Understanding convolutional neural networks
/// with information theory: an initial exploration", IEEE TNNLS 32(1)):
///
///     A = K / m,  K_ij = exp(−‖t_i − t_j‖² / (2σ²))     (Gram matrix of m samples)
///     S_α(A) = 1/(1 − α) · log₂ Σ_i λ_i(A)^α          (bits; λ the eigenvalues, tr A = 1)
///     S_α(A, B) = S_α(A ∘ B / tr(A ∘ B))             (∘ the Hadamard product)
///     I_α(T;Y) = S_α(A_T) + S_α(A_Y) − S_α(A_T, A_Y)
///
/// The label's kernel is Kronecker's delta (K_Y,ij = 1 when y_i = y_j), so S_α(A_Y) is the
/// Rényi entropy of the class proportions and A_T ∘ A_Y is block diagonal over the classes.
/// I(X;T) column: S_α(A_T), under the convention binning uses (T a deterministic function
/// of X, I(X;T) = H(T)); the matrix-based I_α(X;T) equals it when the inputs lie farther
/// apart than their kernel width (A_X = I/m).
///
/// Kernel width: Scott's rule as Yu et al. 2021 use it, σ = γ · s · m^(−1/(4+d)), with s the
/// root mean marginal variance of the m samples (so the width follows the layer's scale:
/// tanh and ReLU layers alike) and γ a factor, 1 by default. The m samples are spaced evenly
/// over the recorded rows (row ⌊i · n / m⌋), the same at every epoch and layer. α = 2 takes
/// Σλ² = ‖A‖²_F (no eigenvalues, O(m² d)); any other α the eigenvalues through LAPACK
/// (O(m³)), those within its accuracy of zero (m · ε · λ_max) taken as zero. α → 1 is Shannon's entropy of the eigenvalues; Yu et al. use α = 1.01.
public struct MatrixRenyiEstimator: Sendable, Equatable {
    public var alpha: Double
    public var gamma: Double
    public var samples: Int

    public init(alpha: Double = 1.01, gamma: Double = 1, samples: Int = 1000) {
        (self.alpha, self.gamma, self.samples) = (alpha, gamma, max(2, samples))
    }

    /// The evenly spaced rows of `n` that are estimated.
    public func rows(of n: Int) -> [Int] {
        n <= samples ? Array(0..<n) : (0..<samples).map { $0 * n / samples }
    }

    /// The kernel width σ of Scott's rule for the rows `rows` of `t`.
    public func width(_ t: Tensor, rows: [Int]) -> Double {
        let d = t.rowSize, m = Double(rows.count)
        var variance = 0.0
        for c in 0..<d {
            var sum = 0.0, squares = 0.0
            for r in rows {
                let v = Double(t.scalars[r * d + c])
                sum += v
                squares += v * v
            }
            variance += max(0, squares / m - (sum / m) * (sum / m))
        }
        let s = (variance / Double(max(1, d))).squareRoot()
        // A constant layer: every kernel value is 1 whatever the width.
        return s > 0 ? gamma * s * Double.pow(m, -1 / (4 + Double(d))) : 1
    }

    /// K (unnormalised) of `rows` of `t`, m × m, with width σ. Squared distances from the
    /// Gram matrix of the centred rows in double precision (BLAS `dsyrk`): ‖a‖² + ‖b‖² − 2a·b,
    /// whose cancellation (about 1e-16 of ‖a‖²) is far below what a kernel value resolves.
    func gram(_ t: Tensor, rows: [Int], sigma: Double) -> [Double] {
        let d = t.rowSize, m = rows.count, scale = -1 / (2 * sigma * sigma)
        var means = [Double](repeating: 0, count: d)
        for r in rows { for c in 0..<d { means[c] += Double(t.scalars[r * d + c]) } }
        for c in 0..<d { means[c] /= Double(max(1, m)) }
        var centred = [Double](repeating: 0, count: m * d)
        for (i, r) in rows.enumerated() { for c in 0..<d { centred[i * d + c] = Double(t.scalars[r * d + c]) - means[c] } }
        var k = BLAS.gram(centred, rows: m, columns: d)
        let norms = (0..<m).map { k[$0 * m + $0] }
        for i in 0..<m {
            for j in 0..<m { k[i * m + j] = i == j ? 1 : Double.exp(max(0, norms[i] + norms[j] - 2 * k[i * m + j]) * scale) }
        }
        return k
    }

    /// Σ λ^α over the eigenvalues of the symmetric blocks `blocks` (each `k × k`, as
    /// (values, k)) of one block-diagonal matrix of size Σk (nil when LAPACK fails).
    /// Eigenvalues within the solver's accuracy of zero (size · ε · λ_max over the whole
    /// matrix) count as zero: for α < 1 the rounding residue of a rank-deficient A would
    /// otherwise add size · (1e-16)^α.
    func powerSum(_ blocks: [([Double], Int)]) -> Double? {
        if alpha == 2 { return blocks.reduce(0) { $0 + $1.0.reduce(0) { $0 + $1 * $1 } } }
        var values: [Double] = []
        for (a, k) in blocks {
            guard let block = SymmetricEigenvalues.of(a, n: k) else { return nil }
            values += block
        }
        let floor = Double(values.count) * Double.ulpOfOne * (values.map(abs).max() ?? 0)
        return values.reduce(0) { $0 + ($1 > floor ? Double.pow($1, alpha) : 0) }
    }

    /// S_α in bits from Σ λ^α.
    func entropy(powerSum: Double) -> Double { Double.log2(powerSum) / (1 - alpha) }

    /// (S_α(T), I_α(T;Y)) in bits; NaN when a value is not finite or LAPACK fails.
    public func estimate(_ t: Tensor, labels: [Int32]) -> (ixt: Double, ity: Double) {
        guard t.scalars.allSatisfy(\.isFinite), labels.count == t.rows, t.rows >= 2 else { return (.nan, .nan) }
        let chosen = rows(of: t.rows), m = chosen.count
        let sigma = width(t, rows: chosen)
        var k = gram(t, rows: chosen, sigma: sigma)
        for index in k.indices { k[index] /= Double(m) }
        // The class blocks of A_T ∘ A_Y / tr(A_T ∘ A_Y) = K_T[c, c] / m, and the proportions.
        var blocks: [([Double], Int)] = [], label = 0.0
        for c in Set(chosen.map { labels[$0] }).sorted() {
            let members = chosen.indices.filter { labels[chosen[$0]] == c }
            var block = [Double](repeating: 0, count: members.count * members.count)
            for (a, i) in members.enumerated() { for (b, j) in members.enumerated() { block[a * members.count + b] = k[i * m + j] } }
            blocks.append((block, members.count))
            label += Double.pow(Double(members.count) / Double(m), alpha)
        }
        guard let total = powerSum([(k, m)]), let joint = powerSum(blocks) else { return (.nan, .nan) }
        let st = entropy(powerSum: total)
        return (st, st + entropy(powerSum: label) - entropy(powerSum: joint))
    }
}
