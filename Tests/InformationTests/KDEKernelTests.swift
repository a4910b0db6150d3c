import CKernels
import Foundation
import Tensor
import Testing
import RealModule

/// The C row kernel of the KDE bounds: its wide (AVX2 + FMA) and SSE2 paths against a
/// Double computation of the same sums, on and off the diagonal.
@Suite("KDE row kernel")
struct KDEKernelTests {
    @Test(arguments: [0, 1])
    func bothPathsMatchDoubleSums(_ wide: Int32) {
        var rng = SeededRNG(seed: 21)
        let count = 203, a: Float = 1.25
        let norms = (0..<count).map { _ in rng.uniform(0, 3) }
        let gram = (0..<count).map { _ in rng.uniform(-1, 1.5) }
        let ni: Float = 1.7, ownFrom = 37, ownTo = 151
        var columns = [Float](repeating: 0.5, count: 4 * count), sums = [Float](repeating: 0, count: 4)
        columns.withUnsafeMutableBufferPointer { c in
            let base = c.baseAddress!
            ip_kde_row_variant(wide, gram, norms, ni, a, Int32(count), Int32(ownFrom), Int32(ownTo),
                               base, base + count, base + 2 * count, base + 3 * count, &sums)
        }
        var expected = [Double](repeating: 0, count: 4)
        for j in 0..<count {
            let distance = max(0, Double(ni) + Double(norms[j]) - 2 * Double(gram[j]))
            let lower = Foundation.exp(-distance * Double(a)), upper = pow(lower, 4)
            expected[0] += upper
            expected[2] += lower
            if (ownFrom..<ownTo).contains(j) { expected[1] += upper; expected[3] += lower }
            // Columns: 0.5 to start with, plus the kernel (and the own-class kernel inside the class).
            #expect((Double(columns[j]) - 0.5).isApproximatelyEqual(to: upper, absoluteTolerance: 1e-6))
            #expect((Double(columns[count + j]) - 0.5).isApproximatelyEqual(to: lower, absoluteTolerance: 1e-6))
            let inside = (ownFrom..<ownTo).contains(j)
            #expect((Double(columns[2 * count + j]) - 0.5).isApproximatelyEqual(to: (inside ? upper : 0), absoluteTolerance: 1e-6))
            #expect((Double(columns[3 * count + j]) - 0.5).isApproximatelyEqual(to: (inside ? lower : 0), absoluteTolerance: 1e-6))
        }
        for k in 0..<4 { #expect((Double(sums[k])).isApproximatelyEqual(to: expected[k], absoluteTolerance: 1e-5 * max(1, expected[k])), "sum \(k)") }

        // On the diagonal (no column sums) the row sums are the same.
        var diagonal = [Float](repeating: 0, count: 4)
        ip_kde_row_variant(wide, gram, norms, ni, a, Int32(count), Int32(ownFrom), Int32(ownTo), nil, nil, nil, nil, &diagonal)
        for k in 0..<4 { #expect((Double(diagonal[k])).isApproximatelyEqual(to: expected[k], absoluteTolerance: 1e-5 * max(1, expected[k]))) }
    }
}
