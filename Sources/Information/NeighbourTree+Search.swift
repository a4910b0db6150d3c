import CKernels

/// One worker's searches in a ``NeighbourTree``: its scratch buffers and the query's
/// state, on pointers into the tree's arrays (valid only inside `withSearch`).
struct NeighbourSearch {
    let d: Int
    let points: UnsafePointer<Float>
    let columns: UnsafePointer<Float>
    let nodes: UnsafePointer<NeighbourTree.Node>
    let low: [Float], high: [Float]
    /// 1 − the tree's rounding margin: a cell is skipped only when its distance times this
    /// still exceeds what was found.
    let margin: Double
    let k: Int
    /// The k smallest squared distances so far, ascending.
    let nearest: UnsafeMutablePointer<Float>
    /// Per coordinate, the squared distance from the query to the current cell.
    let contributions: UnsafeMutablePointer<Double>
    /// A leaf's squared distances.
    let distances: UnsafeMutablePointer<Float>
    var query: UnsafePointer<Float>
    var excluded = -1
    var radius: Float = 0
    var found = 0

    init(d: Int, points: UnsafePointer<Float>, columns: UnsafePointer<Float>, nodes: UnsafePointer<NeighbourTree.Node>,
         low: [Float], high: [Float], largestLeaf: Int, margin: Double, k: Int) {
        (self.d, self.points, self.columns, self.nodes, self.low, self.high, self.margin, self.k) = (d, points, columns, nodes, low, high, margin, k)
        nearest = .allocate(capacity: max(1, k))
        contributions = .allocate(capacity: max(1, d))
        distances = .allocate(capacity: max(1, largestLeaf))
        query = points
    }

    func release() {
        nearest.deallocate()
        contributions.deallocate()
        distances.deallocate()
    }

    /// The squared distance from the query to the root's cell, filling ``contributions``.
    private mutating func start(_ p: Int) -> Double {
        query = points + p * d
        excluded = p
        var bound = 0.0
        for c in 0..<d {
            let q = Double(query[c]), lo = Double(low[c]), hi = Double(high[c])
            let diff = q < lo ? lo - q : (q > hi ? q - hi : 0)
            contributions[c] = diff * diff
            bound += diff * diff
        }
        return bound
    }

    mutating func kth(_ k: Int, ofPoint p: Int) -> Float {
        for i in 0..<k { nearest[i] = .infinity }
        descendNearest(0, bound: start(p))
        return nearest[k - 1]
    }

    mutating func count(within radius: Float, ofPoint p: Int) -> Int {
        self.radius = radius
        found = 0
        descendCounting(0, bound: start(p))
        return found
    }

    /// The leaf's squared distances into ``distances``, summed as the exhaustive scan sums
    /// them (`ip_leaf_distances`, CKernels: eight points at a time on AVX2, a leaf's 16
    /// sums kept in registers).
    private func leafDistances(_ node: NeighbourTree.Node) {
        ip_leaf_distances(1, columns + node.start * d, Int32(node.end - node.start), Int32(d), query, distances)
    }

    /// Puts a squared distance into the ascending list of the k smallest.
    private func insert(_ s: Float) {
        var slot = k - 1
        while slot > 0 && nearest[slot - 1] > s {
            nearest[slot] = nearest[slot - 1]
            slot -= 1
        }
        nearest[slot] = s
    }

    /// The squared distance to a leaf's first point, summed as ``leafDistances(_:)`` sums it.
    private func firstDistance(_ node: NeighbourTree.Node) -> Float {
        let size = node.end - node.start, base = columns + node.start * d
        var s: Float = 0
        for c in 0..<d {
            let diff = base[c * size] - query[c]
            s += diff * diff
        }
        return s
    }

    /// A leaf's points other than the excluded one.
    private func others(_ node: NeighbourTree.Node) -> Int {
        node.end - node.start - (node.start..<node.end ~= excluded ? 1 : 0)
    }

    private mutating func descendNearest(_ id: Int, bound: Double) {
        if bound * margin >= Double(nearest[k - 1]) { return }
        let node = nodes[id]
        if node.left < 0 && node.axis < 0 {
            let s = firstDistance(node)
            for _ in 0..<min(k, others(node)) where s < nearest[k - 1] { insert(s) }
            return
        }
        if node.left < 0 {
            leafDistances(node)
            for j in 0..<(node.end - node.start) where node.start + j != excluded && distances[j] < nearest[k - 1] {
                insert(distances[j])
            }
            return
        }
        let diff = Double(query[node.axis]) - Double(node.split)
        descendNearest(diff < 0 ? node.left : node.right, bound: bound)
        let old = contributions[node.axis], new = diff * diff
        let far = bound + (new - old)
        if far * margin >= Double(nearest[k - 1]) { return }  // checked here to spare the call
        contributions[node.axis] = new
        descendNearest(diff < 0 ? node.right : node.left, bound: far)
        contributions[node.axis] = old
    }

    private mutating func descendCounting(_ id: Int, bound: Double) {
        if bound * margin > Double(radius) { return }
        let node = nodes[id]
        if node.left < 0 && node.axis < 0 {
            if firstDistance(node) <= radius { found += others(node) }
            return
        }
        if node.left < 0 {
            leafDistances(node)
            for j in 0..<(node.end - node.start) where node.start + j != excluded && distances[j] <= radius { found += 1 }
            return
        }
        let diff = Double(query[node.axis]) - Double(node.split)
        descendCounting(diff < 0 ? node.left : node.right, bound: bound)
        let old = contributions[node.axis], new = diff * diff
        contributions[node.axis] = new
        descendCounting(diff < 0 ? node.right : node.left, bound: bound + (new - old))
        contributions[node.axis] = old
    }
}
