import Tensor

/// The exhaustive neighbour search, for layers wider than a k-d tree serves
/// (``KNNEntropyEstimator/treeDimensionLimit``): each row's squared distances to every row,
/// summed in Float over the coordinates in order from the differences row j − row i (as a
/// ``NeighbourTree`` leaf sums them, so both searches give the same numbers to the bit), not
/// from the GEMM identity ‖a‖² + ‖b‖² − 2a·b, whose cancellation in float swamps the small
/// nearest-neighbour distances. O(n² d), vectorised over j, rows split over the workers.
enum NeighbourScan {
    /// `body(i, distances)` for every row i, in parallel, with `distances[j]` row i's squared
    /// distance to row j (0 at j = i; the body may overwrite them); its results in row order.
    static func map<T: BitwiseCopyable>(_ t: Tensor, _ body: @Sendable (Int, UnsafeMutableBufferPointer<Float>) -> T) -> [T] {
        let n = t.rows, d = t.rowSize
        // Columns: x[c][j], so the distance loop runs over contiguous j.
        var transposed = [Float](repeating: 0, count: n * d)
        for i in 0..<n { for c in 0..<d { transposed[c * n + i] = t.scalars[i * d + c] } }
        let columns = transposed
        return Parallel.makeArray(items: n, stride: 1, minimumPerWorker: 64) { rows, out in
            columns.withUnsafeBufferPointer { columns in
                var distances = [Float](repeating: 0, count: n)
                distances.withUnsafeMutableBufferPointer { distances in
                    for i in rows {
                        distances.update(repeating: 0)
                        for c in 0..<d {
                            let column = UnsafeBufferPointer(rebasing: columns[(c * n)..<(c * n + n)])
                            let xi = column[i]
                            for j in 0..<n {
                                let diff = column[j] - xi
                                distances[j] += diff * diff
                            }
                        }
                        out[i - rows.lowerBound] = body(i, distances)
                    }
                }
            }
        }
    }

    /// The k-th smallest of `values` at the indices where `include` holds (`.infinity` when
    /// fewer), by an insertion list.
    static func kth(_ k: Int, of values: UnsafeMutableBufferPointer<Float>, where include: (Int) -> Bool) -> Float {
        var nearest = [Float](repeating: .infinity, count: k)
        for j in values.indices where values[j] < nearest[k - 1] && include(j) {
            var p = k - 1
            while p > 0 && nearest[p - 1] > values[j] {
                nearest[p] = nearest[p - 1]
                p -= 1
            }
            nearest[p] = values[j]
        }
        return nearest[k - 1]
    }
}
