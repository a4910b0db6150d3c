@testable import Information
import Tensor
import Testing

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
                #expect(abs(fused.ixt - general.ixt) < 1e-12 && abs(fused.ity - general.ity) < 1e-12, "\(units) units, \(classes) classes: \(fused) vs \(general)")
            }
        }
        // Outside its case it steps aside: 13 units of 5 bits, 9 classes, edges.
        let wide = Tensor(shape: [10, 13], scalars: [Float](repeating: 0.1, count: 130))
        #expect(BinnedEstimator(.intervals(30)).fusedEstimate(wide, labels: [Int32](repeating: 0, count: 10)) == nil)
        #expect(BinnedEstimator(.intervals(30)).fusedEstimate(t, labels: (0..<n).map { Int32($0 % 9) }) == nil)
        #expect(BinnedEstimator(.edges(30)).fusedEstimate(t, labels: [Int32](repeating: 0, count: n)) == nil)
    }
}
