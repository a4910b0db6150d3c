import Foundation
@testable import Information
import Tensor
import Testing
import RealModule

@Suite("Adaptive, k-NN, DPI and SNR phases")
struct MoreEstimatorTests {
    @Test func adaptiveBinsHoldEqualCountsOfDistinctValues() {
        let values = (0..<100).map { Float($0) / 10 }
        let t = Tensor(shape: [100, 1], scalars: values.shuffled(using: &Self.generator))
        let edges = AdaptiveBinnedEstimator(bins: 10).edges(t)
        #expect(edges.count == 9)
        var counts = [Int](repeating: 0, count: 10)
        for v in values { counts[edges.filter { $0 <= v }.count] += 1 }
        #expect(counts == [Int](repeating: 10, count: 10))
        // Every value its own symbol at 100 bins: H = log2(100).
        let labels = (0..<100).map { Int32($0 % 2) }
        #expect((AdaptiveBinnedEstimator(bins: 100).estimate(t, labels: labels).ixt).isApproximatelyEqual(to: log2(100), absoluteTolerance: 1e-12))
        // 10 bins of equal counts: H = log2(10).
        #expect((AdaptiveBinnedEstimator(bins: 10).estimate(t, labels: labels).ixt).isApproximatelyEqual(to: log2(10), absoluteTolerance: 1e-12))
    }

    nonisolated(unsafe) static var generator = SeededRNG(seed: 1)

    /// ĥ of Gaussians against d/2 · log2(2πe σ²).
    @Test(arguments: [1, 2, 4])
    func knnMatchesGaussianEntropy(_ d: Int) {
        var rng = SeededRNG(seed: UInt64(d))
        let n = 3000, sigma = 0.5
        let t = Tensor(shape: [n, d], scalars: (0..<(n * d)).map { _ in Float(rng.normal() * sigma) })
        let estimate = KNNEntropyEstimator(k: 3).entropy(t)
        let exact = Double(d) / 2 * log2(2 * Double.pi * M_E * sigma * sigma)
        #expect(estimate.isApproximatelyEqual(to: exact, absoluteTolerance: 0.08 * Double(d)), "d = \(d): \(estimate) vs \(exact)")
        #expect(abs(KNNEntropyEstimator.digamma(1) + 0.5772156649) < 1e-9)
        #expect((KNNEntropyEstimator.digamma(10)).isApproximatelyEqual(to: 2.2517525891, absoluteTolerance: 1e-9))
    }

    @Test func dpiFindsEveryViolation() {
        // One run, two epochs, three layers.
        let ixt: [[[Double]]] = [[[12, 10, 11], [12, 12, 12]]]
        let ity: [[[Double]]] = [[[0.9, 0.95, 0.5], [1, 0.9, 0.8]]]
        let found = DPICheck.violations(ixt: ixt, ity: ity, epochs: [0, 5], pairs: DPICheck.chainPairs(3))
        #expect(found == [DPICheck.Violation(run: 0, epoch: 0, layer: 1, later: 2, quantity: "ixt", size: 1),
                          DPICheck.Violation(run: 0, epoch: 0, layer: 0, later: 1, quantity: "ity", size: 0.95 - 0.9)])
        #expect(DPICheck.sizes([[3, 2, 2.5]], pairs: DPICheck.chainPairs(3)) == [[0, 0.5]])
    }

    /// In a graph each layer is compared with the nearest layer it is a function of.
    @Test func dpiPairsFollowTheDominators() {
        // A chain: consecutive layers.
        #expect(DPICheck.dominatorPairs(inputs: [[-1], [0], [1]]) == DPICheck.chainPairs(3))
        // dense1 → block1; sum1 = dense1 + block1; block2(sum1); sum2 = sum1 + block2; output.
        let residual = [[-1], [0], [0, 1], [2], [2, 3], [4]]
        #expect(DPICheck.dominatorPairs(inputs: residual).map { [$0.earlier, $0.later] } == [[0, 1], [0, 2], [2, 3], [2, 4], [4, 5]])
        // Two branches from the input merged: the merge is a function of no single layer.
        #expect(DPICheck.dominatorPairs(inputs: [[-1], [-1], [0, 1], [2]]).map { [$0.earlier, $0.later] } == [[2, 3]])
        // The residual sum may exceed its branch (not a function of it): no violation is counted.
        let ixt: [[[Double]]] = [[[5, 3, 5, 4, 5, 1]]]
        #expect(DPICheck.violations(ixt: ixt, ity: [], epochs: [0], pairs: DPICheck.dominatorPairs(inputs: residual)).isEmpty)
        #expect(DPICheck.violations(ixt: ixt, ity: [], epochs: [0], pairs: DPICheck.chainPairs(6)).count == 2)
    }

    @Test func snrTransitionIsTheDrop() {
        let epochs = Array(0..<100)
        let snr = epochs.map { $0 < 37 ? 20.0 * (1 + 0.05 * Double($0 % 3)) : 0.2 * (1 + 0.05 * Double($0 % 4)) }
        #expect(SNRPhases.transition(epochs: epochs, snr: snr) == 37)
        #expect(SNRPhases.transition(epochs: epochs, snr: epochs.map { 1 + Double($0) }) == nil)
        #expect(SNRPhases.transition(epochs: [0, 1, 2], snr: [5, 1, 1]) == nil)
    }
}
