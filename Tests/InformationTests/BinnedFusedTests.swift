import CKernels
@testable import Information
import Tensor
import Testing
import RealModule

/// The one-pass binning path against the general one, on random layers of every width
/// it takes, with fixed and per-layer ranges and up to 8 classes.
@Suite("Binning: the fused path")
struct BinnedFusedTests {
    @Test(arguments: [1, 3, 10, 12])
    func fusedEqualsGeneral(units: Int) throws {
        var rng = SeededRNG(seed: UInt64(units))
        let n = 4096
        let values = (0..<(n * units)).map { _ in Float(rng.normal()) * 0.8 }
        let t = Tensor(shape: [n, units], scalars: values)
        for classes in [2, 8] {
            let labels = (0..<n).map { _ in Int32(rng.int(below: classes)) }
            for estimator in [BinnedEstimator(.intervals(30)), BinnedEstimator(.intervals(30), range: .layer), BinnedEstimator(.intervals(4))] {
                let fused = try #require(estimator.fusedEstimate(t, labels: labels))
                let general = estimator.generalEstimate(t, labels: labels)
                #expect(fused.ixt.isApproximatelyEqual(to: general.ixt, absoluteTolerance: 1e-12) && fused.ity.isApproximatelyEqual(to: general.ity, absoluteTolerance: 1e-12), "\(units) units, \(classes) classes: \(fused) vs \(general)")
            }
        }
        // Outside its case it steps aside: 13 units of 5 bits, 9 classes, edges.
        let wide = Tensor(shape: [10, 13], scalars: [Float](repeating: 0.1, count: 130))
        #expect(BinnedEstimator(.intervals(30)).fusedEstimate(wide, labels: [Int32](repeating: 0, count: 10)) == nil)
        #expect(BinnedEstimator(.intervals(30)).fusedEstimate(t, labels: (0..<n).map { Int32($0 % 9) }) == nil)
        #expect(BinnedEstimator(.edges(30)).fusedEstimate(t, labels: [Int32](repeating: 0, count: n)) == nil)
    }

    /// The C counting pass on its AVX2 and SSE2 paths: the same table, the same counts, the
    /// same order of first use (values on bin edges, NaN and beyond the range included).
    @Test func bothCountingPathsAgree() {
        var rng = SeededRNG(seed: 44)
        let (n, units, bits, classes) = (1000, 7, 5, 3)
        var values = (0..<(n * units)).map { _ in Float(rng.uniform(-1.2, 1.2)) }
        values[3] = .nan
        values[10] = -1
        values[11] = 1
        values[12] = -1 + 2 / 30 * 7
        let labels = (0..<n).map { _ in Int32(rng.int(below: classes)) }
        var results: [([UInt64], [Int32], [Int32], [Int64], Int64)] = []
        for wide in [Int32(0), 1] {
            var keys = [UInt64](repeating: 0, count: 2048), counts = [Int32](repeating: 0, count: 2048 * classes)
            var used = [Int32](repeating: 0, count: n), perClass = [Int64](repeating: 0, count: classes)
            let distinct = ip_binning_count(wide, values, Int64(n), Int32(units), -1, 15, 29, Int32(bits), labels, Int32(classes),
                                            &keys, &counts, 2048, 53, &used, &perClass)
            results.append((keys, counts, Array(used.prefix(Int(distinct))), perClass, distinct))
        }
        #expect(results[0].0 == results[1].0 && results[0].1 == results[1].1 && results[0].2 == results[1].2)
        #expect(results[0].3 == results[1].3 && results[0].3.reduce(0, +) == Int64(n))
        #expect(results[0].4 > 900)
    }
}
