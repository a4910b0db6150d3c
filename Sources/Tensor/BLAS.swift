import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// The BLAS backend (OpenBLAS) and its thread count.
///
/// Small networks are faster with one BLAS thread (measured here: thread start-up costs
/// more than a 4096×12→10 product), and one thread makes every product bit-identical run
/// to run. The first use of any product (or ``ensureConfigured()``, which the CLI calls
/// first thing) sets the thread count to `INFOPLANE_BLAS_THREADS` from the environment,
/// or 1 when unset, and with one thread stops the workers OpenBLAS started when it
/// loaded; ``setThreads(_:)`` overrides it. The kernel OpenBLAS picks follows
/// `OPENBLAS_CORETYPE` (never changed by this project). The same first use raises glibc's mmap and trim thresholds so that
/// the per-step tensors of training are recycled by `malloc` instead of being mapped
/// and unmapped (and page-faulted) every time.
public enum BLAS {
    private static let configured: Bool = {
        // Keep large numeric buffers in the heap instead of mapping and unmapping them
        // per allocation: a 4096×10 activation is above glibc's 128 KiB mmap threshold,
        // and the page faults of fresh mappings cost more than the 12→10 product itself.
        ip_keep_large_buffers_in_heap(256 << 20, 512 << 20)
        var threads: Int32 = 1
        if let raw = getenv("INFOPLANE_BLAS_THREADS"), let value = Int32(String(cString: raw)), value > 0 {
            threads = value
        }
        openblas_set_num_threads(threads)
        // With one thread, OpenBLAS's workers are never used: stop them, or they spin on
        // the second core for the first 0.1 s of every process.
        if threads == 1 { _ = blas_thread_shutdown_() }
        return true
    }()

    /// Applies the default thread count once; cheap afterwards.
    @inline(__always)
    public static func ensureConfigured() { _ = configured }

    /// Sets the number of OpenBLAS threads for all following products (process-wide).
    public static func setThreads(_ count: Int) {
        ensureConfigured()
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// The current number of OpenBLAS threads.
    public static var threads: Int {
        ensureConfigured()
        return Int(openblas_get_num_threads())
    }

    /// The CPU kernel OpenBLAS runs, e.g. "Haswell".
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// OpenBLAS's build configuration string.
    public static var configuration: String {
        guard let config = openblas_get_config() else { return "unknown" }
        return String(cString: config)
    }

    /// `y = Aᵀ · 1`: the column sums of a row-major `[rows, columns]` buffer (`cblas_sgemv`).
    public static func columnSums(_ a: UnsafePointer<Float>, rows: Int, columns: Int, into y: UnsafeMutablePointer<Float>) {
        ensureConfigured()
        let ones = [Float](repeating: 1, count: rows)
        ones.withUnsafeBufferPointer { x in
            cblas_sgemv(CblasRowMajor, CblasTrans, blasint(rows), blasint(columns), 1, a, blasint(columns),
                        x.baseAddress, 1, 0, y, 1)
        }
    }

    /// `C = alpha · op(A) · op(B) + beta · C` on row-major buffers (`cblas_sgemm`).
    ///
    /// `op(A)` is `[m, k]`, `op(B)` is `[k, n]`, `C` is `[m, n]`; `A` is stored `[m, k]`
    /// (or `[k, m]` when transposed), likewise `B`.
    @inline(__always)
    public static func gemm(transposeA: Bool = false, transposeB: Bool = false,
                            m: Int, n: Int, k: Int, alpha: Float = 1,
                            a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                            beta: Float = 0, c: UnsafeMutablePointer<Float>) {
        ensureConfigured()
        let lda = transposeA ? m : k
        let ldb = transposeB ? k : n
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha,
                    a, blasint(lda), b, blasint(ldb), beta, c, blasint(n))
    }

    /// The Gram matrix `X Xᵀ` (`[rows, rows]`, both triangles) of a row-major
    /// `[rows, columns]` buffer of doubles (`cblas_dsyrk`, then mirrored).
    public static func gram(_ x: [Double], rows: Int, columns: Int) -> [Double] {
        ensureConfigured()
        var g = [Double](repeating: 0, count: rows * rows)
        guard rows > 0, columns > 0 else { return g }
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, blasint(rows), blasint(columns), 1, x, blasint(columns), 0, &g, blasint(rows))
        for i in 0..<rows { for j in 0..<i { g[i * rows + j] = g[j * rows + i] } }
        return g
    }
}

extension Tensor {
    /// The matrix product `op(self) · op(other)` of two rank-2 tensors.
    ///
    /// - Complexity: one `sgemm`, O(m·n·k).
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        precondition(rank == 2 && other.rank == 2, "matmul needs rank-2 tensors, got \(shape) and \(other.shape)")
        let m = transposeSelf ? shape[1] : shape[0]
        let k = transposeSelf ? shape[0] : shape[1]
        let k2 = transposeOther ? other.shape[1] : other.shape[0]
        let n = transposeOther ? other.shape[0] : other.shape[1]
        precondition(k == k2, "matmul inner dimensions differ: \(shape) · \(other.shape)")
        var out = [Float](repeating: 0, count: m * n)
        scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { c in
                    if m > 0 && n > 0 && k > 0 {
                        BLAS.gemm(transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: k,
                                  a: a.baseAddress!, b: b.baseAddress!, c: c.baseAddress!)
                    }
                }
            }
        }
        return Tensor(shape: [m, n], scalars: out)
    }
}
