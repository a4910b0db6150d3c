import RealModule

/// Element-wise and row-wise kernels over unsafe buffers: the inner loops of the
/// networks and estimators.
///
/// Numerical contract of the transcendental kernels (float32):
/// - `tanh` evaluates `1 − 2/(exp(2x) + 1)`: absolute error ≤ 2.5e-7 against `tanh` in
///   double precision on all of ℝ (exactly ±1 for |x| ≥ 9.1), about 3.5× faster than
///   `tanhf` here in scalar form and faster still over buffers (see
///   `Kernels+Vectorized`). Relative accuracy is lost for |x| < 1e-4, where the result
///   is within 2.5e-7 of `x`.
/// - ``sigmoid(_:)`` evaluates `1/(1 + exp(−x))`; relative error a few ulp.
/// - ``softplus(_:)`` evaluates `max(x, 0) + log1p(exp(−|x|))`, stable for all x.
public enum Kernels {
    @inline(__always)
    public static func tanh(_ x: Float) -> Float {
        1 - 2 / (Float.exp(2 * x) + 1)
    }

    @inline(__always)
    public static func sigmoid(_ x: Float) -> Float {
        1 / (1 + Float.exp(-x))
    }

    @inline(__always)
    public static func softplus(_ x: Float) -> Float {
        max(x, 0) + Float.log(onePlus: Float.exp(-abs(x)))
    }

    /// Writes `row` into every row of a `[rows, row.count]` buffer (by doubling copies:
    /// O(log rows) `memcpy` calls).
    @inline(__always)
    public static func fillRows(_ values: UnsafeMutableBufferPointer<Float>, with row: UnsafeBufferPointer<Float>) {
        let width = row.count
        guard width > 0, values.count >= width, let base = values.baseAddress else { return }
        base.update(from: row.baseAddress!, count: width)
        var filled = width
        while filled < values.count {
            let chunk = min(filled, values.count - filled)
            (base + filled).update(from: base, count: chunk)
            filled += chunk
        }
    }

    /// `out[c] = Σ_r values[r, c]` for a `[rows, out.count]` buffer (overwrites `out`).
    /// Uses BLAS (`sgemv` with a ones vector) from 64 rows up.
    @inline(__always)
    public static func sumRows(_ values: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>) {
        let width = out.count
        guard width > 0 else { return }
        let rows = values.count / width
        if rows >= 64 {
            BLAS.columnSums(values.baseAddress!, rows: rows, columns: width, into: out.baseAddress!)
            return
        }
        for c in 0..<width { out[c] = 0 }
        var base = values.baseAddress!
        let o = out.baseAddress!
        for _ in 0..<rows {
            for c in 0..<width { o[c] += base[c] }
            base += width
        }
    }

    /// Row-wise softmax in place on `[rows, width]`, stabilised by the row maximum.
    public static func softmaxRows(_ values: UnsafeMutableBufferPointer<Float>, width: Int) {
        guard width > 0 else { return }
        let rows = values.count / width
        for r in 0..<rows {
            let row = UnsafeMutableBufferPointer(rebasing: values[(r * width)..<((r + 1) * width)])
            var maximum = -Float.infinity
            for v in row { maximum = max(maximum, v) }
            var sum: Float = 0
            for i in row.indices {
                let e = Float.exp(row[i] - maximum)
                row[i] = e
                sum += e
            }
            let inverse = 1 / sum
            for i in row.indices { row[i] *= inverse }
        }
    }

    /// The Euclidean norm of a buffer, accumulated in double precision.
    public static func norm(_ values: UnsafeBufferPointer<Float>) -> Double {
        var sum: Double = 0
        for v in values { sum += Double(v) * Double(v) }
        return sum.squareRoot()
    }
}
