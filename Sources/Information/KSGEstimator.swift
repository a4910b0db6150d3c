import RealModule
import Tensor

/// I(T;Y) between a continuous layer T and the discrete label Y by the Kraskov–Stögbauer–
/// Grassberger estimator in Ross's form for one discrete variable (Kraskov, Stögbauer &
/// Grassberger 2004, estimator 1; Ross 2014, "Mutual information between discrete and
/// continuous data sets", eq. 2):
///
///     I(T;Y) = ψ(N) + ⟨ψ(k_i)⟩ − ⟨ψ(N_{y_i})⟩ − ⟨ψ(m_i)⟩        (nats, reported in bits)
///
/// with d_i the Euclidean distance from sample i to its k_i-th nearest neighbour among the
/// samples of its own class (k_i = min(k, N_y − 1)), m_i the number of samples of any class
/// other than i at distance at most d_i (so m_i ≥ k_i), N_y the size of i's class, ψ the
/// digamma function; averages over the samples whose class has at least two samples, N
/// their number. Unlike ĥ(T) − ĥ(T|Y) from two Kozachenko–Leonenko estimates, whose
/// biases at different densities do not cancel, the same radius d_i serves both counts.
/// Ties at d_i are counted in m_i (Ross's definition; scikit-learn's
/// `mutual_info_classif` counts the strictly closer samples and i itself, the same number
/// when no distance ties). Not clamped at 0: a negative value is the estimator's bias
/// showing. The I(X;T) column holds the Kozachenko–Leonenko ĥ(T), as for `knn`.
/// Searches run on exact k-d trees (``NeighbourTree``), one over all samples and one per
/// class, up to 20 units, and by the exhaustive scan (``NeighbourScan``) beyond.
public struct KSGEstimator: Sendable, Equatable {
    public var k: Int

    public init(k: Int = 3) { self.k = max(1, k) }

    /// I(T;Y) in bits; NaN when no class has two samples or a value is not finite. Up to
    /// ``KNNEntropyEstimator/treeDimensionLimit`` units through k-d trees, beyond it by the
    /// exhaustive scan: the same counts either way.
    public func mutualInformation(_ t: Tensor, labels: [Int32]) -> Double {
        guard t.scalars.allSatisfy(\.isFinite), t.rows == labels.count else { return .nan }
        let classes = Dictionary(grouping: labels.indices) { labels[$0] }
        let kept = classes.values.flatMap { $0.count > 1 ? $0 : [] }.sorted()
        guard !kept.isEmpty else { return .nan }
        // k_i and N_{y_i} per sample (0 for a class of one, which is left out).
        var kOf = [Int](repeating: 0, count: t.rows), classSize = kOf
        for members in classes.values where members.count > 1 {
            for row in members { (kOf[row], classSize[row]) = (min(k, members.count - 1), members.count) }
        }
        let m = t.rowSize <= KNNEntropyEstimator.treeDimensionLimit
            ? treeCounts(t, classes: classes, kept: kept, kOf: kOf) : scanCounts(t, labels: labels, kOf: kOf)
        var sum = 0.0
        for row in kept {
            sum += KNNEntropyEstimator.digamma(Double(kOf[row])) - KNNEntropyEstimator.digamma(Double(classSize[row]))
                - KNNEntropyEstimator.digamma(Double(m[row]))
        }
        let nats = KNNEntropyEstimator.digamma(Double(kept.count)) + sum / Double(kept.count)
        return nats / Double.log(2)
    }

    /// m_i per row through trees: one per class for d_i², one over the kept rows for the counts.
    func treeCounts(_ t: Tensor, classes: [Int32: [Int]], kept: [Int], kOf: [Int]) -> [Int] {
        var radii = [Float](repeating: 0, count: t.rows)
        for members in classes.values where members.count > 1 {
            let tree = NeighbourTree(t, rows: members)
            let squared = tree.kthSquaredDistances(k: kOf[members[0]])
            for (p, row) in tree.rows.enumerated() { radii[row] = squared[p] }
        }
        let all = NeighbourTree(t, rows: kept)
        let counts = all.countsWithin(radii: radii)
        var m = [Int](repeating: 0, count: t.rows)
        for (p, row) in all.rows.enumerated() { m[row] = counts[p] }
        return m
    }

    /// m_i per row by the exhaustive scan (rows of a class of one: 0, and never counted).
    func scanCounts(_ t: Tensor, labels: [Int32], kOf: [Int]) -> [Int] {
        NeighbourScan.map(t) { i, distances in
            guard kOf[i] > 0 else { return 0 }
            let radius = NeighbourScan.kth(kOf[i], of: distances) { $0 != i && labels[$0] == labels[i] }
            var count = 0
            for j in distances.indices where j != i && kOf[j] > 0 && distances[j] <= radius { count += 1 }
            return count
        }
    }

    /// (ĥ(T), I(T;Y)) in bits.
    public func estimate(_ activations: Tensor, labels: [Int32]) -> (ixt: Double, ity: Double) {
        (KNNEntropyEstimator(k: k).entropy(activations), mutualInformation(activations, labels: labels))
    }
}
