import Tensor

/// How well a 2-D embedding keeps the neighbourhoods of the data.
public enum EmbeddingQuality {
    /// Trustworthiness (Venna & Kaski 2001; scikit-learn's `trustworthiness`):
    /// T(k) = 1 − 2 / (N k (2N − 3k − 1)) Σ_i Σ_{j ∈ U_i(k)} (r(i, j) − k), where U_i(k) are
    /// the embedding's k nearest neighbours of i that are not among its k nearest in the
    /// data and r(i, j) is j's rank by distance from i in the data (1 = nearest; ties by
    /// index). 1 when no false neighbours appear.
    /// - Complexity: O(N² (d + k)) time: ranks are counted only for the k embedding
    ///   neighbours; memory O(N) per row (``TSNE/distanceRows(_:_:)``), never N².
    public static func trustworthiness(data: Tensor, embedding: [SIMD2<Double>], k: Int) -> Double {
        let n = data.rows
        let penalties = TSNE.distanceRows(data) { i, distances in
            var penalty = 0.0
            for j in nearest(embedding, i, k) {
                // r(i, j) = 1 + the number of points before j in i's data order.
                let dj = distances[j]
                var rank = 1
                for m in 0..<n where m != i && m != j {
                    let dm = distances[m]
                    if dm < dj || (dm == dj && m < j) { rank += 1 }
                }
                if rank > k { penalty += Double(rank - k) }
            }
            return penalty
        }
        return 1 - 2 / (Double(n) * Double(k) * (2 * Double(n) - 3 * Double(k) - 1)) * penalties.reduce(0, +)
    }

    /// The mean share of each point's k nearest neighbours in the data that are also
    /// among its k nearest in the embedding.
    public static func neighbourPreservation(data: Tensor, embedding: [SIMD2<Double>], k: Int) -> Double {
        let n = data.rows
        let kept = TSNE.distanceRows(data) { i, distances in
            let inData = Set(smallest(k, n, excluding: i) { distances[$0] })
            return nearest(embedding, i, k).filter(inData.contains).count
        }
        return Double(kept.reduce(0, +)) / Double(n * k)
    }

    package static func nearest(_ y: [SIMD2<Double>], _ i: Int, _ k: Int) -> [Int] {
        smallest(k, y.count, excluding: i) { let d = y[i] - y[$0]; return (d * d).sum() }
    }

    /// The `k` indices of `0..<count` (without `excluding`) with the smallest keys, ties by
    /// index, in order. - Complexity: O(count · k).
    package static func smallest(_ k: Int, _ count: Int, excluding: Int, key: (Int) -> Double) -> [Int] {
        var best: [(Double, Int)] = []
        best.reserveCapacity(k + 1)
        for j in 0..<count where j != excluding {
            let candidate = (key(j), j)
            if best.count == k, let last = best.last, !(candidate < last) { continue }
            let position = best.firstIndex { candidate < $0 } ?? best.count
            best.insert(candidate, at: position)
            if best.count > k { best.removeLast() }
        }
        return best.map(\.1)
    }
}
