import Tensor

/// An exact k-d tree over the rows of an `[n, d]` matrix (Bentley 1975; Friedman, Bentley
/// & Finkel 1977), for the k-nearest-neighbour estimators.
///
/// Nodes split at the median of their widest coordinate (ties by row) and stop at
/// ``leafSize`` points; a leaf keeps its points coordinate by coordinate, so that its
/// distances are computed as the exhaustive scan computes them: a squared distance is
/// summed in Float over the coordinates in order from the differences point − query.
/// The k-th distances, and every estimate built on them, therefore equal the scan's to
/// the bit. A node is skipped when the squared distance from the query to its cell
/// (kept incrementally in Double along the descent, as scipy's cKDTree does) exceeds
/// what was found by more than the Float sum's rounding can account for
/// (``roundingMargin``), so no point that could count is ever skipped.
/// Built in O(n log² n); a query costs about O(log n) for the low-dimensional layers the
/// information plane is about (the tree is used up to ``KNNEntropyEstimator/treeDimensionLimit``
/// units; beyond it a tree visits nearly every leaf and the vectorised scan is faster).
struct NeighbourTree: Sendable {
    static let leafSize = 16

    let dimension: Int
    /// The original row of each reordered point.
    let rows: [Int]
    /// The reordered points, row by row (the queries).
    let points: [Float]
    /// Each leaf's points coordinate by coordinate: leaf `start..<end` holds coordinate c
    /// of point p at `start · d + c · (end − start) + (p − start)`.
    let leafColumns: [Float]
    let nodes: [Node]
    /// The bounding box of all points, per coordinate.
    let low: [Float], high: [Float]
    /// The largest leaf (leaves of identical points can exceed ``leafSize``).
    let largestLeaf: Int

    /// A leaf has `left < 0`, and `axis < 0` when its points are identical (a dead or
    /// saturated layer's many equal rows): its distance is computed once.
    struct Node: Sendable {
        var start: Int, end: Int, left: Int, right: Int, axis: Int, split: Float
    }

    /// A tree over `rows` of `t` (all of them by default).
    init(_ t: Tensor, rows selected: [Int]? = nil) {
        let d = t.rowSize
        var order = selected ?? Array(0..<t.rows)
        var nodes: [Node] = []
        var largest = 0
        if !order.isEmpty {
            var keys = [(Float, Int)](repeating: (0, 0), count: order.count)
            var low = [Float](repeating: 0, count: d), high = low
            t.scalars.withUnsafeBufferPointer { scalars in
                order.withUnsafeMutableBufferPointer { order in
                    keys.withUnsafeMutableBufferPointer { keys in
                        low.withUnsafeMutableBufferPointer { low in
                            high.withUnsafeMutableBufferPointer { high in
                                largest = Self.build(scalars.baseAddress!, d: d, order: order, keys: keys, nodes: &nodes,
                                                     low: low.baseAddress!, high: high.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
        var points = [Float](repeating: 0, count: order.count * d), columns = points
        var low = [Float](repeating: .infinity, count: d), high = [Float](repeating: -.infinity, count: d)
        for (p, row) in order.enumerated() {
            for c in 0..<d {
                let v = t.scalars[row * d + c]
                points[p * d + c] = v
                low[c] = min(low[c], v)
                high[c] = max(high[c], v)
            }
        }
        for node in nodes where node.left < 0 {
            let size = node.end - node.start
            for p in node.start..<node.end {
                for c in 0..<d { columns[node.start * d + c * size + (p - node.start)] = points[p * d + c] }
            }
        }
        dimension = d
        rows = order
        self.points = points
        leafColumns = columns
        self.nodes = nodes
        self.low = low
        self.high = high
        largestLeaf = largest
    }

    var count: Int { rows.count }

    /// Splits `order` into the nodes, depth first; returns the largest leaf's size.
    private static func build(_ scalars: UnsafePointer<Float>, d: Int, order: UnsafeMutableBufferPointer<Int>,
                              keys: UnsafeMutableBufferPointer<(Float, Int)>, nodes: inout [Node],
                              low: UnsafeMutablePointer<Float>, high: UnsafeMutablePointer<Float>) -> Int {
        var largest = 0
        nodes.append(Node(start: 0, end: order.count, left: -1, right: -1, axis: 0, split: 0))
        var pending = [0]
        while let id = pending.popLast() {
            let (start, end) = (nodes[id].start, nodes[id].end)
            guard end - start > leafSize else { largest = max(largest, end - start); continue }
            for c in 0..<d { (low[c], high[c]) = (.infinity, -.infinity) }
            for p in start..<end {
                let row = scalars + order[p] * d
                for c in 0..<d {
                    low[c] = min(low[c], row[c])
                    high[c] = max(high[c], row[c])
                }
            }
            var axis = 0
            for c in 1..<max(1, d) where high[c] - low[c] > high[axis] - low[axis] { axis = c }
            guard high[axis] > low[axis] else {  // identical points: marked, searched as one
                nodes[id].axis = -1
                largest = max(largest, end - start)
                continue
            }
            let middle = (start + end) / 2
            for p in start..<end { keys[p] = (scalars[order[p] * d + axis], order[p]) }
            select(UnsafeMutableBufferPointer(rebasing: keys[start..<end]), middle - start)
            for p in start..<end { order[p] = keys[p].1 }
            nodes[id].axis = axis
            nodes[id].split = keys[middle].0
            nodes[id].left = nodes.count
            nodes[id].right = nodes.count + 1
            nodes.append(Node(start: start, end: middle, left: -1, right: -1, axis: 0, split: 0))
            nodes.append(Node(start: middle, end: end, left: -1, right: -1, axis: 0, split: 0))
            pending.append(nodes[id].right)
            pending.append(nodes[id].left)
        }
        return largest
    }

    /// Reorders `a` so that `a[kth]` is the element a sort would put there (by value, then
    /// row), with no greater element before it and no smaller one after: Hoare's
    /// quickselect on medians of three, finished by a sort if it has not converged in
    /// 2 log₂ n rounds (so it is O(n log n) at worst). The values must not be NaN.
    static func select(_ a: UnsafeMutableBufferPointer<(Float, Int)>, _ kth: Int) {
        func less(_ x: (Float, Int), _ y: (Float, Int)) -> Bool { x.0 < y.0 || (x.0 == y.0 && x.1 < y.1) }
        var low = 0, high = a.count - 1
        var rounds = 2 * (Int.bitWidth - a.count.leadingZeroBitCount)
        while high > low {
            guard rounds > 0 else {
                var rest = UnsafeMutableBufferPointer(rebasing: a[low...high])
                rest.sort(by: less)
                return
            }
            rounds -= 1
            let middle = low + (high - low) / 2
            if less(a[middle], a[low]) { a.swapAt(middle, low) }
            if less(a[high], a[low]) { a.swapAt(high, low) }
            if less(a[high], a[middle]) { a.swapAt(high, middle) }
            let pivot = a[middle]
            var i = low, j = high
            while i <= j {
                while less(a[i], pivot) { i += 1 }
                while less(pivot, a[j]) { j -= 1 }
                if i <= j {
                    a.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if kth <= j { high = j } else if kth >= i { low = i } else { return }
        }
    }

    /// The relative amount by which a Float sum of d squared differences can fall below
    /// the exact one: (d + 3) rounding steps of 2⁻²⁴, doubled for safety.
    var roundingMargin: Double { Double(dimension + 3) * 0x1p-23 }

    /// The squared distance from each reordered point to its k-th nearest other point
    /// (`.infinity` when there are fewer), computed on every worker.
    func kthSquaredDistances(k: Int) -> [Float] {
        Parallel.makeArray(items: count, stride: 1, minimumPerWorker: 64) { range, out in
            withSearch(k: k) { search in
                for p in range { out[p - range.lowerBound] = search.kth(k, ofPoint: p) }
            }
        }
    }

    /// How many points other than point p (reordered) lie at squared distance at most
    /// `radii[rows[p]]` from it, for each point, computed on every worker.
    func countsWithin(radii: [Float]) -> [Int] {
        Parallel.makeArray(items: count, stride: 1, minimumPerWorker: 64) { range, out in
            withSearch(k: 1) { search in
                for p in range { out[p - range.lowerBound] = search.count(within: radii[rows[p]], ofPoint: p) }
            }
        }
    }

    private func withSearch(k: Int, _ body: (inout NeighbourSearch) -> Void) {
        let d = dimension
        guard count > 0 else { return }
        points.withUnsafeBufferPointer { points in
            leafColumns.withUnsafeBufferPointer { columns in
                nodes.withUnsafeBufferPointer { nodes in
                    var search = NeighbourSearch(d: d, points: points.baseAddress!, columns: columns.baseAddress!,
                                                 nodes: nodes.baseAddress!, low: low, high: high, largestLeaf: largestLeaf,
                                                 margin: 1 - roundingMargin, k: k)
                    body(&search)
                    search.release()
                }
            }
        }
    }
}
