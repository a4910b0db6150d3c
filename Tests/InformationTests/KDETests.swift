import Foundation
@testable import Information
import Tensor
import Testing
import RealModule

@Suite("KDE bounds")
struct KDETests {
    /// The formulas written out directly in Double, O(n²).
    static func direct(_ t: Tensor, labels: [Int32], variance: Double) -> (upper: (Double, Double), lower: (Double, Double)) {
        let n = t.rows, d = t.rowSize
        func term(_ rows: [Int], _ v: Double) -> Double {
            var total = 0.0
            for i in rows {
                var s = 0.0
                for j in rows {
                    var dist = 0.0
                    for k in 0..<d {
                        let diff = Double(t.scalars[i * d + k]) - Double(t.scalars[j * d + k])
                        dist += diff * diff
                    }
                    s += exp(-dist / (2 * v))
                }
                total -= log(s / Double(rows.count))
            }
            return total / Double(rows.count)
        }
        func bounds(_ v: Double) -> (Double, Double) {
            let all = term(Array(0..<n), v)
            var conditional = 0.0
            for label in Set(labels) {
                let rows = (0..<n).filter { labels[$0] == label }
                conditional += Double(rows.count) / Double(n) * term(rows, v)
            }
            return (all / log(2), (all - conditional) / log(2))
        }
        return (bounds(variance), bounds(4 * variance))
    }

    @Test(arguments: [0.001, 0.1, 1.0])
    func matchesTheFormulas(_ variance: Double) {
        var rng = SeededRNG(seed: 5)
        let n = 300, d = 4
        let t = Tensor(shape: [n, d], scalars: (0..<(n * d)).map { _ in Kernels.fastTanh(rng.uniform(-2, 2)) })
        let labels = (0..<n).map { _ in Int32(rng.int(below: 3)) }
        let ours = KDEEstimator(noiseVariance: variance).estimate(t, labels: labels)
        let reference = Self.direct(t, labels: labels, variance: variance)
        #expect(ours.upper.ixt.isApproximatelyEqual(to: reference.upper.0, absoluteTolerance: 1e-4), "\(ours.upper.ixt) vs \(reference.upper.0)")
        #expect(ours.upper.ity.isApproximatelyEqual(to: reference.upper.1, absoluteTolerance: 1e-4))
        #expect(ours.lower.ixt.isApproximatelyEqual(to: reference.lower.0, absoluteTolerance: 1e-4))
        #expect(ours.lower.ity.isApproximatelyEqual(to: reference.lower.1, absoluteTolerance: 1e-4))
        #expect(ours.upper.ixt >= ours.lower.ixt)
    }

    @Test func limits() {
        // 4096 distinct points: → 12 bits as σ² → 0, → 0 as σ² → ∞.
        var bits: [Float] = []
        for row in 0..<4096 { for bit in 0..<12 { bits.append(Float((row >> (11 - bit)) & 1)) } }
        let t = Tensor(shape: [4096, 12], scalars: bits)
        let labels = (0..<4096).map { Int32($0 % 2) }
        let sharp = KDEEstimator(noiseVariance: 1e-4).estimate(t, labels: labels)
        #expect(sharp.upper.ixt.isApproximatelyEqual(to: 12, absoluteTolerance: 1e-6))
        #expect(sharp.lower.ixt.isApproximatelyEqual(to: 12, absoluteTolerance: 1e-6))
        #expect(sharp.upper.ity.isApproximatelyEqual(to: 1, absoluteTolerance: 1e-6))
        let flat = KDEEstimator(noiseVariance: 1e6).estimate(t, labels: labels)
        #expect(flat.upper.ixt < 1e-4 && flat.lower.ixt < 1e-4)
        for variance in [1e-3, 1e-2, 0.1, 1, 10] {
            let b = KDEEstimator(noiseVariance: variance).estimate(t, labels: labels)
            #expect(b.upper.ixt >= b.lower.ixt - 1e-9)
            #expect(b.upper.ixt <= 12 + 1e-9)
        }
    }
}
