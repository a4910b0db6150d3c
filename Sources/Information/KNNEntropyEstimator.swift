import RealModule
import Tensor

/// The Kozachenko–Leonenko k-nearest-neighbour estimator of differential entropy
/// (Kozachenko & Leonenko 1987; Kraskov, Stögbauer & Grassberger 2004, eq. 20):
///
///     ĥ(T) = ψ(n) − ψ(k) + log c_d + (d/n) Σ_i log ε_i
///
/// with ε_i the Euclidean distance from sample i to its k-th nearest neighbour, c_d the
/// volume of the d-dimensional unit ball, ψ the digamma function; converted to bits.
/// A third opinion next to binning and KDE: for continuous activations of a
/// deterministic network I(X;T) is infinite, so this estimator reports ĥ(T) (in bits;
/// it can be negative) in the I(X;T) column, and I(T;Y) = ĥ(T) − Σ_y p(y) ĥ(T | Y=y).
/// Distances are floored at 1e-10 so that duplicate points (saturated units) stay finite;
/// the estimate is then biased low, which says the layer is (locally) discrete.
public struct KNNEntropyEstimator: Sendable, Equatable {
    public var k: Int

    public init(k: Int = 3) { self.k = max(1, k) }

    /// Layers of at most this many units are searched with an exact k-d tree
    /// (``NeighbourTree``); wider ones by the exhaustive scan, which a tree degrades to there.
    public static let treeDimensionLimit = 20

    /// ĥ in bits of the rows `[n, d]`: the same value by either search, to the bit; NaN
    /// for k or fewer rows or a value that is not finite.
    public func entropy(_ t: Tensor) -> Double {
        guard t.rows > k, t.scalars.allSatisfy(\.isFinite) else { return .nan }
        if t.rowSize <= Self.treeDimensionLimit { return entropy(NeighbourTree(t), dimension: t.rowSize) }
        return entropy(logs: scanLogDistances(t), dimension: t.rowSize)
    }

    /// ĥ in bits of a tree's points.
    func entropy(_ tree: NeighbourTree, dimension: Int) -> Double {
        guard tree.count > k else { return .nan }
        return entropy(logs: treeLogDistances(tree), dimension: dimension)
    }

    /// ĥ in bits from log ε_i, in row order.
    func entropy(logs: [Double], dimension d: Int) -> Double {
        let n = logs.count
        let logSum = logs.reduce(0, +)
        let dimension = Double(d)
        let logUnitBall = dimension / 2 * Double.log(Double.pi) - Double.logGamma(dimension / 2 + 1)
        let nats = Self.digamma(Double(n)) - Self.digamma(Double(k)) + logUnitBall + dimension / Double(n) * logSum
        return nats / Double.log(2)
    }

    /// log ε_i (ε floored at 1e-10) of a tree's points, in the order of the rows it was
    /// built over (put back by each row's place in the tree, O(n): the rows are distinct).
    func treeLogDistances(_ tree: NeighbourTree) -> [Double] {
        let squared = tree.kthSquaredDistances(k: k)
        guard let top = tree.rows.max() else { return [] }
        var place = [Int32](repeating: -1, count: top + 1)
        for (position, row) in tree.rows.enumerated() { place[row] = Int32(position) }
        var logs: [Double] = []
        logs.reserveCapacity(tree.rows.count)
        for position in place where position >= 0 {
            logs.append(Double.log(max(Double(squared[Int(position)]).squareRoot(), 1e-10)))
        }
        return logs
    }

    /// log ε_i per row through a k-d tree (what ``entropy(_:)`` uses up to
    /// ``treeDimensionLimit`` units).
    func treeLogDistances(_ t: Tensor) -> [Double] { treeLogDistances(NeighbourTree(t)) }

    /// log ε_i per row by the exhaustive scan (``NeighbourScan``).
    func scanLogDistances(_ t: Tensor) -> [Double] {
        let k = self.k
        return NeighbourScan.map(t) { i, distances in
            Double.log(max(Double(NeighbourScan.kth(k, of: distances) { $0 != i }).squareRoot(), 1e-10))
        }
    }

    /// (ĥ(T), I(T;Y)) in bits. Up to ``treeDimensionLimit`` units the trees over all rows
    /// and over each class are built side by side on the workers.
    public func estimate(_ activations: Tensor, labels: [Int32]) -> (ixt: Double, ity: Double) {
        let classes = Set(labels).sorted()
        let members = classes.map { label in labels.indices.filter { labels[$0] == label } }
        let d = activations.rowSize
        let entropies: [Double]
        if d <= Self.treeDimensionLimit && activations.scalars.allSatisfy(\.isFinite) && labels.count == activations.rows {
            let trees = ConcurrentSlots<NeighbourTree>(count: classes.count + 1)
            Parallel.perform(iterations: classes.count + 1) { i in
                trees.set(i, i == 0 ? NeighbourTree(activations) : NeighbourTree(activations, rows: members[i - 1]))
            }
            entropies = trees.values.map { entropy($0, dimension: d) }
        } else {
            entropies = [entropy(activations)] + members.map { entropy(activations.gatherRows($0)) }
        }
        let conditional = zip(members, entropies.dropFirst()).reduce(0.0) { $0 + Double($1.0.count) / Double(labels.count) * $1.1 }
        return (entropies[0], entropies[0] - conditional)
    }

    /// ψ(x) for x ≥ 1 by recurrence to x ≥ 6 and the asymptotic series.
    static func digamma(_ value: Double) -> Double {
        var x = value, result = 0.0
        while x < 6 { result -= 1 / x; x += 1 }
        let f = 1 / (x * x)
        return result + Double.log(x) - 0.5 / x - f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))))
    }
}
