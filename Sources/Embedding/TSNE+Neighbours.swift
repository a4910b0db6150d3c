import Tensor

extension TSNE {
    /// Rows per block of a distance pass: each block is one GEMM of its rows against all
    /// points, so a pass holds `blockRows × N` distances per worker at a time. Fixed (not
    /// derived from the worker count), so results are the same for any count.
    package static let blockRows = 256

    /// `body(i, d)` for every row i of `data`, where d[j] = ‖x_i − x_j‖² (0 at j = i):
    /// ‖x_i‖² + ‖x_j‖² − 2 x_i·x_j, clamped at 0, the norms in Double and the products from
    /// one Float GEMM per block of ``blockRows`` rows; the results in row order. Memory
    /// O(workers × blockRows × N) instead of the N² matrix of all pairs.
    /// - Complexity: O(N² d) for the products, plus the bodies.
    package static func distanceRows<T: Sendable>(_ data: Tensor, _ body: @Sendable (Int, [Double]) -> T) -> [T] {
        let n = data.rows, d = data.rowSize
        let flat = data.reshaped([n, d])
        let norms = (0..<n).map { i in flat.scalars[(i * d)..<((i + 1) * d)].reduce(0.0) { $0 + Double($1) * Double($1) } }
        let blocks = (n + blockRows - 1) / blockRows
        let slots = ConcurrentSlots<(Int, [T])>(count: blocks)
        Parallel.forEachRange(blocks) { range in
            for block in range {
                let rows = (block * blockRows)..<min(n, (block + 1) * blockRows)
                let gram = flat.rows(rows).matmul(flat, transposeOther: true)
                var results: [T] = []
                for (offset, i) in rows.enumerated() {
                    let base = offset * n
                    let distances = (0..<n).map { j in j == i ? 0 : max(norms[i] + norms[j] - 2 * Double(gram.scalars[base + j]), 0) }
                    results.append(body(i, distances))
                }
                slots.set(block, (block, results))
            }
        }
        return slots.values.flatMap(\.1)
    }

    /// The `k` nearest neighbours of every row (ties by the lower index) with their
    /// squared distances, ascending, from ``distanceRows(_:_:)``.
    package static func nearestNeighbours(_ data: Tensor, k: Int) -> (indices: [[Int]], distances: [[Double]]) {
        let rows = distanceRows(data) { i, distances in
            let nearest = EmbeddingQuality.smallest(k, distances.count, excluding: i) { distances[$0] }
            return (nearest, nearest.map { distances[$0] })
        }
        return (rows.map(\.0), rows.map(\.1))
    }

    /// Bytes t-SNE of `points` points of `dimensions` values takes at its peak: the N × N
    /// distances, products and affinities (24 bytes per pair) up to `exactLimit` points;
    /// beyond, the neighbour lists and symmetrised affinities (about 120 bytes per
    /// neighbour, 3·perplexity of them per point), the distance blocks (12 bytes per pair
    /// of a block) and the quadtree. The input counts once more (its flattened copy).
    public func memoryBytes(points n: Int, dimensions d: Int, workers: Int = Parallel.workers) -> Int {
        let data = MemoryBudget.product(n, d, 4)
        if n <= exactLimit { return MemoryBudget.sum(data, MemoryBudget.product(n, n, 24)) }
        return MemoryBudget.sum(data, MemoryBudget.product(n, Int(3 * perplexity), 120),
                                MemoryBudget.product(workers, Self.blockRows, n, 12), MemoryBudget.product(n, 200))
    }
}
