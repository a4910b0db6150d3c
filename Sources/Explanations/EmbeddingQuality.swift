import Tensor

/// How well a 2-D embedding keeps the neighbourhoods of the data.
public enum EmbeddingQuality {
    /// Trustworthiness (Venna & Kaski 2001; scikit-learn's `trustworthiness`):
    /// T(k) = 1 − 2 / (N k (2N − 3k − 1)) Σ_i Σ_{j ∈ U_i(k)} (r(i, j) − k), where U_i(k) are
    /// the embedding's k nearest neighbours of i that are not among its k nearest in the
    /// data and r(i, j) is j's rank by distance from i in the data (1 = nearest). 1 when
    /// no false neighbours appear.
    /// - Complexity: O(N² log N).
    public static func trustworthiness(data: Tensor, embedding: [SIMD2<Double>], k: Int) -> Double {
        let n = data.rows
        let distances = TSNE.squaredDistances(data)
        var penalty = 0.0
        for i in 0..<n {
            let order = (0..<n).filter { $0 != i }.sorted { (distances[i * n + $0], $0) < (distances[i * n + $1], $1) }
            var rank = [Int](repeating: 0, count: n)
            for (position, j) in order.enumerated() { rank[j] = position + 1 }
            for j in nearest(embedding, i, k) where rank[j] > k { penalty += Double(rank[j] - k) }
        }
        return 1 - 2 / (Double(n) * Double(k) * (2 * Double(n) - 3 * Double(k) - 1)) * penalty
    }

    /// The mean share of each point's k nearest neighbours in the data that are also
    /// among its k nearest in the embedding.
    public static func neighbourPreservation(data: Tensor, embedding: [SIMD2<Double>], k: Int) -> Double {
        let n = data.rows
        let distances = TSNE.squaredDistances(data)
        var kept = 0
        for i in 0..<n {
            let inData = Set((0..<n).filter { $0 != i }.sorted { (distances[i * n + $0], $0) < (distances[i * n + $1], $1) }.prefix(k))
            kept += nearest(embedding, i, k).filter(inData.contains).count
        }
        return Double(kept) / Double(n * k)
    }

    static func nearest(_ y: [SIMD2<Double>], _ i: Int, _ k: Int) -> [Int] {
        let d = y.indices.map { j -> Double in let diff = y[i] - y[j]; return (diff * diff).sum() }
        return Array(y.indices.filter { $0 != i }.sorted { (d[$0], $0) < (d[$1], $1) }.prefix(k))
    }
}
