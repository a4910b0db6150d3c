import RealModule

/// Exact mutual information of a noisy linear layer with Gaussian inputs (Saxe et al.
/// 2018, §4): X ~ N(0, I_N), T = W X + ξ with ξ ~ N(0, σ² I), the teacher's output
/// Y = w₀·X + ε with ε ~ N(0, σ₀²). All in bits.
///
///     I(X;T) = ½ log₂ det(I + W Wᵀ / σ²)
///     I(T;Y) = ½ log₂ [Var Y / (Var Y − cᵀ Σ_T⁻¹ c)],  Σ_T = W Wᵀ + σ² I, c = W w₀, Var Y = ‖w₀‖² + σ₀²
///     I(T;X_S) = ½ log₂ det(Σ_T) − ½ log₂ det(W_S̄ W_S̄ᵀ + σ² I)   (X_S a block of the inputs)
///
/// Matrices are row-major `[rows][columns]` in Double; determinants by Cholesky.
package enum GaussianChannel {
    /// The lower-triangular L with L Lᵀ = a, for symmetric positive definite a; nil otherwise.
    static func cholesky(_ a: [[Double]]) -> [[Double]]? {
        let n = a.count
        var l = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in 0...i {
                var s = a[i][j]
                for k in 0..<j { s -= l[i][k] * l[j][k] }
                if i == j {
                    guard s > 0 else { return nil }
                    l[i][i] = s.squareRoot()
                } else {
                    l[i][j] = s / l[j][j]
                }
            }
        }
        return l
    }

    /// log₂ det of a symmetric positive definite matrix; nil when it is not.
    static func log2Determinant(_ a: [[Double]]) -> Double? {
        guard let l = cholesky(a) else { return nil }
        return 2 * l.indices.reduce(0) { $0 + Double.log2(l[$1][$1]) }
    }

    /// W_S W_Sᵀ + σ² I for the columns S (the union of `columns`) of W `[hidden][inputs]`.
    static func covariance(_ w: [[Double]], columns: [Range<Int>], noise: Double) -> [[Double]] {
        let h = w.count
        var c = [[Double]](repeating: [Double](repeating: 0, count: h), count: h)
        for i in 0..<h {
            for j in 0...i {
                var s = 0.0
                for range in columns { for k in range { s += w[i][k] * w[j][k] } }
                c[i][j] = s
                c[j][i] = s
            }
            c[i][i] += noise
        }
        return c
    }

    package static func ixt(_ w: [[Double]], noise: Double) -> Double {
        let h = Double(w.count)
        let columns = 0..<(w.first?.count ?? 0)
        return 0.5 * ((log2Determinant(covariance(w, columns: [columns], noise: noise)) ?? .nan) - h * Double.log2(noise))
    }

    /// I(T; X_block): what T carries about the inputs in `block` (the others independent).
    package static func ixtBlock(_ w: [[Double]], block: Range<Int>, noise: Double) -> Double {
        let inputs = w.first?.count ?? 0
        let all = log2Determinant(covariance(w, columns: [0..<inputs], noise: noise)) ?? .nan
        // T given the block: the noise and the other inputs.
        let rest = covariance(w, columns: [0..<min(block.lowerBound, inputs), min(block.upperBound, inputs)..<inputs], noise: noise)
        return 0.5 * (all - (log2Determinant(rest) ?? .nan))
    }

    package static func ity(_ w: [[Double]], teacher: [Double], noise: Double, outputNoise: Double) -> Double {
        let sigma = covariance(w, columns: [0..<teacher.count], noise: noise)
        let c = w.map { row in zip(row, teacher).reduce(0) { $0 + $1.0 * $1.1 } }
        let varY = teacher.reduce(0) { $0 + $1 * $1 } + outputNoise
        // cᵀ Σ⁻¹ c by solving Σ z = c (Cholesky).
        guard let z = solve(sigma, c) else { return .nan }
        let explained = zip(c, z).reduce(0) { $0 + $1.0 * $1.1 }
        return 0.5 * Double.log2(varY / max(varY - explained, 1e-300))
    }

    /// Solves A z = b for symmetric positive definite A (forward and back substitution).
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
        guard let l = cholesky(a) else { return nil }
        let n = a.count
        var y = [Double](repeating: 0, count: n)
        for i in 0..<n { var s = b[i]; for k in 0..<i { s -= l[i][k] * y[k] }; y[i] = s / l[i][i] }
        var z = [Double](repeating: 0, count: n)
        for i in (0..<n).reversed() { var s = y[i]; for k in (i + 1)..<n { s -= l[k][i] * z[k] }; z[i] = s / l[i][i] }
        return z
    }
}
