import Tensor

/// Binning with adaptive, entropy-based bins (Chelombiev, Houghton & O'Donnell, "Adaptive
/// estimators show information compression in deep neural networks", ICLR 2019).
///
/// Per layer and epoch, the distinct activation values of the layer (all units pooled)
/// are sorted and `bins` bins are placed so that each holds the same number of distinct
/// values (edges at the quantiles of the distinct values); every unit's value is then
/// binned with these edges and the estimate proceeds as in ``BinnedEstimator``:
/// I(X;T) = H(T), I(T;Y) = H(T) − H(T|Y), in bits. Saturated values (tanh at ±1, ReLU at
/// 0) no longer swallow whole bins' worth of resolution, which is the point of the method.
public struct AdaptiveBinnedEstimator: Sendable, Equatable {
    public var bins: Int

    public init(bins: Int) { self.bins = max(1, bins) }

    /// The upper edges of the bins (ascending, `bins − 1` of them) for these values.
    public func edges(_ activations: Tensor) -> [Float] {
        let distinct = Array(Set(activations.scalars.filter { $0.isFinite })).sorted()
        guard distinct.count > 1 else { return [] }
        var edges: [Float] = []
        for b in 1..<bins {
            let index = distinct.count * b / bins
            if index > 0, index < distinct.count, edges.last != distinct[index] { edges.append(distinct[index]) }
        }
        return edges
    }

    /// (I(X;T), I(T;Y)) in bits. - Complexity: O(n·units·log(n·units)).
    public func estimate(_ activations: Tensor, labels: [Int32]) -> (ixt: Double, ity: Double) {
        let edges = self.edges(activations)
        // Bin index = the number of edges ≤ value (binary search); then integer binning.
        var indices = [Float](repeating: 0, count: activations.count)
        for (i, v) in activations.scalars.enumerated() {
            var low = 0, high = edges.count
            while low < high {
                let mid = (low + high) / 2
                if edges[mid] <= v { low = mid + 1 } else { high = mid }
            }
            indices[i] = Float(low) + 0.5
        }
        return BinnedEstimator(.width(1)).estimate(Tensor(shape: activations.shape, scalars: indices), labels: labels)
    }
}
