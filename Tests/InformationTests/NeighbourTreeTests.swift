import Foundation
@testable import Information
import Tensor
import Testing
import RealModule

/// The k-d tree gives the exhaustive scan's k-th distances to the bit, so the k-NN
/// estimates do not depend on the search.
struct NeighbourTreeTests {
    static func layer(_ n: Int, _ d: Int, seed: UInt64, duplicates: Bool = false) -> Tensor {
        var rng = SeededRNG(seed: seed)
        var scalars = (0..<(n * d)).map { _ in Float(tanh(Double(rng.uniform(-3, 3)))) }
        if duplicates {
            // Saturated units: a third of the rows copy an earlier row.
            for i in stride(from: 3, to: n, by: 3) { for c in 0..<d { scalars[i * d + c] = scalars[(i / 2) * d + c] } }
        }
        return Tensor(shape: [n, d], scalars: scalars)
    }

    @Test(arguments: [(500, 1), (700, 3), (1000, 7), (300, 20), (200, 33)])
    func treeEqualsScan(_ n: Int, _ d: Int) {
        for duplicates in [false, true] {
            let t = Self.layer(n, d, seed: UInt64(n * 100 + d), duplicates: duplicates)
            for k in [1, 3, 10] {
                let estimator = KNNEntropyEstimator(k: k)
                #expect(estimator.treeLogDistances(t) == estimator.scanLogDistances(t), "n \(n), d \(d), k \(k), duplicates \(duplicates)")
            }
        }
    }

    /// A dead layer: most rows identical (a leaf of identical points, searched as one), the
    /// rest spread; the tree still gives the scan's numbers.
    @Test func identicalRowsEqualScan() {
        var scalars = Self.layer(2000, 4, seed: 5).scalars
        for i in 0..<1500 { for c in 0..<4 { scalars[(i * 4 / 3) * 4 + c] = c == 0 ? -0.0 : 0.5 } }
        let t = Tensor(shape: [2000, 4], scalars: scalars)
        let labels: [Int32] = (0..<2000).map { (i: Int) -> Int32 in Int32(i % 3) }
        for k in [1, 3, 20] {
            let estimator = KNNEntropyEstimator(k: k)
            #expect(estimator.treeLogDistances(t) == estimator.scanLogDistances(t), "k \(k)")
            let kOf = (0..<2000).map { _ in k }
            let classes = Dictionary(grouping: 0..<2000) { labels[$0] }
            #expect(KSGEstimator(k: k).treeCounts(t, classes: classes, kept: Array(0..<2000), kOf: kOf)
                    == KSGEstimator(k: k).scanCounts(t, labels: labels, kOf: kOf), "k \(k)")
        }
        #expect(NeighbourTree(t).nodes.contains { $0.left < 0 && $0.axis < 0 })
    }

    /// Ross's counts by brute force: the estimator's m_i, k_i and N_y through the trees.
    @Test(arguments: [(400, 2), (600, 5), (150, 24), (120, 40)])
    func ksgCountsEqualBruteForce(_ n: Int, _ d: Int) {
        let t = Self.layer(n, d, seed: UInt64(d), duplicates: d == 5)
        let labels: [Int32] = (0..<n).map { (i: Int) -> Int32 in Int32((i * 7 + i / 5) % 3) }
        let k = 3
        func squared(_ i: Int, _ j: Int) -> Float {
            var s: Float = 0
            for c in 0..<d { let diff = t.scalars[j * d + c] - t.scalars[i * d + c]; s += diff * diff }
            return s
        }
        var sum = 0.0
        for i in 0..<n {
            let same = (0..<n).filter { $0 != i && labels[$0] == labels[i] }.map { squared(i, $0) }.sorted()
            let radius = same[k - 1]
            let m = (0..<n).filter { $0 != i && squared(i, $0) <= radius }.count
            sum += KNNEntropyEstimator.digamma(Double(k)) - KNNEntropyEstimator.digamma(Double(same.count + 1))
                - KNNEntropyEstimator.digamma(Double(m))
        }
        let expected = (KNNEntropyEstimator.digamma(Double(n)) + sum / Double(n)) / log(2)
        let found = KSGEstimator(k: k).mutualInformation(t, labels: labels)
        #expect(found.isApproximatelyEqual(to: expected, absoluteTolerance: 1e-12), "\(found) vs \(expected)")
        // The tree's counts and the scan's are the same numbers.
        let kOf = (0..<n).map { _ in k }
        let classes = Dictionary(grouping: 0..<n) { labels[$0] }
        #expect(KSGEstimator(k: k).treeCounts(t, classes: classes, kept: Array(0..<n), kOf: kOf)
                == KSGEstimator(k: k).scanCounts(t, labels: labels, kOf: kOf))
    }

    /// Two classes far apart: every sample's neighbours within d_i are of its own class, so
    /// m_i = k and I = ψ(N) − ψ(N/2) ≈ ln 2 nats = 1 bit; labels independent of T: ≈ 0.
    @Test func ksgClosedForms() {
        let n = 800
        var rng = SeededRNG(seed: 4)
        let scalars: [Float] = (0..<(n * 3)).map { (i: Int) -> Float in Float(rng.normal()) + (i / 3 < n / 2 ? 0 : 100) }
        let t = Tensor(shape: [n, 3], scalars: scalars)
        let separated: [Int32] = (0..<n).map { (i: Int) -> Int32 in i < n / 2 ? 0 : 1 }
        let exact = (KNNEntropyEstimator.digamma(Double(n)) - KNNEntropyEstimator.digamma(Double(n / 2))) / log(2)
        #expect((KSGEstimator(k: 3).mutualInformation(t, labels: separated)).isApproximatelyEqual(to: exact, absoluteTolerance: 1e-12))
        #expect(exact.isApproximatelyEqual(to: 1, absoluteTolerance: 2e-3))
        let independent: [Int32] = (0..<n).map { (i: Int) -> Int32 in Int32((i * 7919 + i / 3) % 2) }
        #expect(abs(KSGEstimator(k: 3).mutualInformation(t, labels: independent)) < 0.05)
        // One class of one sample is left out (N counts the others); no class of two: NaN.
        var lone = separated
        lone[0] = 7
        #expect(KSGEstimator(k: 3).mutualInformation(t, labels: lone).isFinite)
        #expect(KSGEstimator(k: 3).mutualInformation(Tensor(shape: [2, 1], scalars: [0, 1]), labels: [0, 1]).isNaN)
        // Not finite: NaN, never a crash.
        #expect(KSGEstimator(k: 3).mutualInformation(Tensor(shape: [4, 1], scalars: [0, .nan, 1, 2]), labels: [0, 0, 1, 1]).isNaN)
        #expect(KNNEntropyEstimator(k: 1).entropy(Tensor(shape: [4, 1], scalars: [0, .infinity, 1, 2])).isNaN)
    }

    /// The quickselect puts the k-th element in place with nothing greater before it.
    @Test func selectionPartitions() {
        var rng = SeededRNG(seed: 8)
        for count in [1, 2, 3, 17, 200] {
            for kth in Set([0, count / 2, count - 1]) {
                var keys = (0..<count).map { (Float(Int(rng.uniform(0, 5))), $0) }
                let sorted = keys.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
                keys.withUnsafeMutableBufferPointer { NeighbourTree.select($0, kth) }
                #expect(keys[kth] == sorted[kth])
                #expect(keys[..<kth].allSatisfy { $0.0 < keys[kth].0 || ($0.0 == keys[kth].0 && $0.1 < keys[kth].1) })
            }
        }
    }
}
