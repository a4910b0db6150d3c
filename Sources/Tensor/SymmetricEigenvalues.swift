import CBLAS

/// The eigenvalues of a real symmetric matrix, through LAPACK's `dsyevd` (eigenvalues only:
/// Householder tridiagonalisation, then the root-free QR of `dsterf`; O(n³), about
/// 4/3 n³ flops). For the matrix-based Rényi entropy (`MatrixRenyiEstimator`).
public enum SymmetricEigenvalues {
    /// The eigenvalues in ascending order of the `n × n` symmetric matrix `a` (either
    /// triangle is read; row- and column-major are the same matrix), or nil when LAPACK
    /// reports a failure (it did not converge, or n does not fit its 32-bit integers).
    public static func of(_ a: [Double], n: Int) -> [Double]? {
        guard n > 0, a.count == n * n, let order = Int32(exactly: n), let workSize = Int32(exactly: 2 * n + 1) else {
            return n == 0 ? [] : nil
        }
        var matrix = a
        var values = [Double](repeating: 0, count: n)
        var work = [Double](repeating: 0, count: 2 * n + 1)
        var integerWork: [Int32] = [0]
        var info: Int32 = 0
        var jobz = CChar(UInt8(ascii: "N")), uplo = CChar(UInt8(ascii: "U"))
        var size = order, lda = order, lwork = workSize, liwork: Int32 = 1
        dsyevd_(&jobz, &uplo, &size, &matrix, &lda, &values, &work, &lwork, &integerWork, &liwork, &info, 1, 1)
        return info == 0 ? values : nil
    }
}
