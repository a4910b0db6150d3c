import Foundation
@testable import Information
import Tensor
import Testing
import RealModule

/// The matrix-based Rényi α-entropy against closed forms: the eigenvalues of Gram matrices
/// whose kernel values are all 1 (identical points) or 0 (points far apart).
struct MatrixRenyiTests {
    /// Rényi entropy in bits of a distribution.
    static func renyi(_ p: [Double], _ alpha: Double) -> Double { log2(p.reduce(0) { $0 + pow($1, alpha) }) / (1 - alpha) }

    @Test(arguments: [1.01, 2.0, 0.5, 3.0])
    func closedForms(_ alpha: Double) {
        let estimator = MatrixRenyiEstimator(alpha: alpha)
        // 40 identical points: A = 11ᵀ/m, one eigenvalue 1: S = 0, and I(T;Y) = 0.
        let same = Tensor(shape: [40, 3], scalars: Array(repeating: 0.25, count: 120))
        let labels: [Int32] = (0..<40).map { (i: Int) -> Int32 in i % 4 == 0 ? 1 : 0 }
        let (s, i) = estimator.estimate(same, labels: labels)
        #expect(s.isApproximatelyEqual(to: 0, absoluteTolerance: 1e-9) && i.isApproximatelyEqual(to: 0, absoluteTolerance: 1e-9), "\(s) \(i)")
        // Points far apart in kernel widths (γ = 1e-4: σ ≈ 0.7 for distances ≥ 7): A = I/m,
        // S = log₂ m, I(T;Y) = H_α of the class proportions.
        let spread: [Float] = (0..<80).map { (i: Int) -> Float in Float(i / 2 * 1000 + (i % 2) * 7) }
        let apart = Tensor(shape: [40, 2], scalars: spread)
        let (s2, i2) = MatrixRenyiEstimator(alpha: alpha, gamma: 1e-4).estimate(apart, labels: labels)
        #expect(s2.isApproximatelyEqual(to: log2(40), absoluteTolerance: 1e-9), "\(s2)")
        #expect(i2.isApproximatelyEqual(to: Self.renyi([0.25, 0.75], alpha), absoluteTolerance: 1e-9), "\(i2)")
        // Two clusters of identical points, the labels the clusters: S = I = H_α(p).
        let placed: [Float] = (0..<80).map { (i: Int) -> Float in labels[i / 2] == 1 ? 1000 : 0 }
        let clusters = Tensor(shape: [40, 2], scalars: placed)
        let (s3, i3) = estimator.estimate(clusters, labels: labels)
        #expect(s3.isApproximatelyEqual(to: Self.renyi([0.25, 0.75], alpha), absoluteTolerance: 1e-9) && i3.isApproximatelyEqual(to: s3, absoluteTolerance: 1e-9), "\(s3) \(i3)")
    }

    /// α = 2 through ‖A‖²_F equals the eigenvalues' Σλ² (LAPACK), on a matrix of real data.
    @Test func frobeniusEqualsEigenvalues() throws {
        var rng = SeededRNG(seed: 3)
        let values4: [Float] = (0..<1200).map { _ in Float(tanh(Double(rng.uniform(-2, 2)))) }
        let t = Tensor(shape: [300, 4], scalars: values4)
        let estimator = MatrixRenyiEstimator(alpha: 2)
        let rows = estimator.rows(of: 300)
        let a = estimator.gram(t, rows: rows, sigma: estimator.width(t, rows: rows)).map { $0 / 300 }
        let values = try #require(SymmetricEigenvalues.of(a, n: 300))
        #expect((values.reduce(0) { $0 + $1 * $1 }).isApproximatelyEqual(to: estimator.powerSum([(a, 300)])!, absoluteTolerance: 1e-12))
        #expect((values.reduce(0, +)).isApproximatelyEqual(to: 1, absoluteTolerance: 1e-12))  // tr A = 1
        #expect(values == values.sorted())
        // A diagonal matrix's eigenvalues are its diagonal.
        #expect(SymmetricEigenvalues.of([3, 0, 0, 0, 1, 0, 0, 0, 2], n: 3) == [1, 2, 3])
    }

    /// The evenly spaced subset and the width follow the rule; hostile inputs give NaN.
    @Test func subsetWidthAndHostileInputs() {
        let estimator = MatrixRenyiEstimator(alpha: 1.01, gamma: 2, samples: 4)
        #expect(estimator.rows(of: 10) == [0, 2, 5, 7])
        #expect(estimator.rows(of: 3) == [0, 1, 2])
        // Values ±1 in one unit: s = 1, σ = γ m^(−1/5).
        let t = Tensor(shape: [4, 1], scalars: [-1, 1, -1, 1])
        #expect((estimator.width(t, rows: [0, 1, 2, 3])).isApproximatelyEqual(to: 2 * pow(4, -0.2), absoluteTolerance: 1e-12))
        #expect(estimator.estimate(Tensor(shape: [3, 1], scalars: [0, .nan, 1]), labels: [0, 1, 0]).ixt.isNaN)
        #expect(estimator.estimate(Tensor(shape: [1, 1], scalars: [0]), labels: [0]).ity.isNaN)
    }

    /// numpy's eigvalsh on the same layer (Fixtures/matrix_renyi_reference.py prints these).
    @Test(arguments: [(1.01, 4.105595600164839, 1.5185466454126155), (2.0, 3.9586983761182672, 1.4988293608169156),
                      (0.5, 4.353805920765562, 1.5100512378727666)])
    func numpyReference(_ alpha: Double, _ entropy: Double, _ information: Double) {
        var scalars = [Float](repeating: 0, count: 300 * 5)
        for i in 0..<300 { for c in 0..<5 { scalars[i * 5 + c] = Float(tanh(2 * sin(0.37 * Double(i) + 1.3 * Double(c)))) } }
        let labels: [Int32] = (0..<300).map { (i: Int) -> Int32 in (scalars[i * 5] > 0 ? 1 : 0) + (scalars[i * 5 + 1] > 0 ? 1 : 0) }
        let (s, i) = MatrixRenyiEstimator(alpha: alpha).estimate(Tensor(shape: [300, 5], scalars: scalars), labels: labels)
        #expect(s.isApproximatelyEqual(to: entropy, absoluteTolerance: 1e-9) && i.isApproximatelyEqual(to: information, absoluteTolerance: 1e-9), "\(s) \(i)")
    }
}
