import Tensor

/// Mutual information by discretising each unit into bins (Shwartz-Ziv & Tishby 2017,
/// §3; Saxe et al. 2018, §2).
///
/// Each unit's value becomes a bin index; a layer's whole vector of bin indices is one
/// discrete symbol T. With X uniform over the n samples (distinct inputs) and a
/// deterministic network, T is a function of X, so
///
///     I(X;T) = H(T),   I(T;Y) = H(T) + H(Y) − H(T,Y) = H(T) − Σ_y p(y) H(T | Y=y),
///
/// in **bits** (log₂), with plug-in probabilities (counts / n). Both are bounded by
/// log₂ n and H(Y) respectively; the plug-in estimate of H(T) is biased low when the
/// symbols are many compared with n.
///
/// Rows are hashed, not sorted: bin indices are packed into a 64-bit key (exact while
/// `units × bits per index ≤ 64`; wider layers hash their index vectors exactly through
/// a dictionary of byte strings).
public struct BinnedEstimator: Sendable, Equatable {
    /// How values map to bins.
    public enum Binning: Sendable, Equatable {
        /// `count` equal intervals over [low, high] (the paper's wording: "30 equal
        /// intervals between −1 and 1"); values outside go to the first or last interval.
        case intervals(Int)
        /// The 2017 code exactly: `bins = linspace(low, high, count)`, a value's symbol is
        /// the left edge of its interval, `bins[digitize(v, bins) − 1]`. So an exact
        /// `high` (tanh's +1.0) gets a bin of its own: 30 edges make 29 intervals + 1.
        /// numpy's index −1 for values below `low` wraps to the last edge (the same symbol
        /// as `high`); reproduced, though tanh never goes there.
        case edges(Int)
        /// `floor(v / width)` with no range (ibsgd: width 0.07 for var_u, 0.5 for MNIST).
        case width(Double)
    }

    /// Where the bins lie (for `intervals` and `edges`).
    public enum Range: Sendable, Equatable {
        /// Fixed bounds, e.g. [−1, 1] for tanh.
        case fixed(Double, Double)
        /// The layer's own minimum and maximum at that epoch.
        case layer
        /// Given bounds that the caller computed over all layers and logged epochs (Saxe
        /// et al.'s treatment of ReLU: 100 bins between the global minimum and maximum).
        case global(Double, Double)
    }

    public var binning: Binning
    public var range: Range

    public init(_ binning: Binning, range: Range = .fixed(-1, 1)) {
        self.binning = binning
        self.range = range
    }

    /// (I(X;T), I(T;Y)) in bits for activations `[n, units]` and labels `[n]`.
    /// - Complexity: O(n · units).
    public func estimate(_ activations: Tensor, labels: [Int32]) -> (ixt: Double, ity: Double) {
        fusedEstimate(activations, labels: labels) ?? generalEstimate(activations, labels: labels)
    }

    /// Any binning: bin indices per value, one key per row (packed, or the index of its
    /// distinct vector), then hash-table counts.
    func generalEstimate(_ activations: Tensor, labels: [Int32]) -> (ixt: Double, ity: Double) {
        let n = activations.rows
        let units = activations.rowSize
        let symbols = self.symbols(activations)
        var counter = SymbolCounter(capacity: n)
        var joint = SymbolCounter(capacity: n)
        var classes = SymbolCounter(capacity: 16)
        for i in 0..<n {
            counter.add(symbols[i])
            joint.add(symbols[i], label: labels[i])
            classes.add(UInt64(UInt32(bitPattern: labels[i])))
        }
        _ = units
        let ht = counter.entropy(total: n)
        let hy = classes.entropy(total: n)
        let hty = joint.entropy(total: n)
        return (ht, max(0, ht + hy - hty))
    }

    /// One 64-bit key per row: exact packing when it fits, else the index of the row's
    /// distinct index vector (assigned through a dictionary).
    func symbols(_ activations: Tensor) -> [UInt64] {
        let n = activations.rows
        let units = activations.rowSize
        let (low, high) = bounds(activations)
        var indices = [Int32](repeating: 0, count: n * units)
        var maxIndex: Int32 = 0, minIndex: Int32 = 0
        activations.scalars.withUnsafeBufferPointer { x in
            indices.withUnsafeMutableBufferPointer { out in
                switch binning {
                case .intervals(let count):
                    let scale = Double(count) / (high - low)
                    let last = Int32(count - 1)
                    let top = Double(last)
                    for i in 0..<x.count {
                        // Clamped to [0, last] first, so truncation is the floor (and vectorises);
                        // the comparison sends NaN to 0 rather than into Int(_:).
                        let q = (Double(x[i]) - low) * scale
                        let v = min(q >= 0 ? q : 0, top)
                        out[i] = Int32(truncatingIfNeeded: Int(v))
                    }
                    maxIndex = last
                case .edges(let count):
                    // numpy.linspace edges: low + k·step, the last exactly `high`.
                    let step = (high - low) / Double(count - 1)
                    let edges = (0..<count).map { $0 == count - 1 ? high : low + Double($0) * step }
                    let last = Int32(count - 1)
                    for i in 0..<x.count {
                        let v = Double(x[i])
                        // digitize − 1: the number of edges ≤ v, minus one.
                        var k = Self.clampedIndex(((v - low) / step).rounded(.down), within: -1...Int32(count - 1))
                        while Int(k) + 1 < count && edges[Int(k) + 1] <= v { k += 1 }
                        while k >= 0 && edges[Int(k)] > v { k -= 1 }
                        out[i] = k < 0 ? last : k
                    }
                    maxIndex = last
                case .width(let width):
                    var lowest = Int32.max, highest = Int32.min
                    for i in 0..<x.count {
                        let k = Self.clampedIndex((Double(x[i]) / width).rounded(.down), within: -(1 << 30)...(1 << 30))
                        out[i] = k
                        lowest = min(lowest, k)
                        highest = max(highest, k)
                    }
                    minIndex = x.isEmpty ? 0 : lowest
                    maxIndex = x.isEmpty ? 0 : highest
                }
            }
        }
        let span = UInt64(Int64(maxIndex) - Int64(minIndex)) + 1
        var bits = 1
        while (UInt64(1) << UInt64(bits)) < span { bits += 1 }
        var keys = [UInt64](repeating: 0, count: n)
        if bits * units <= 64 {
            for r in 0..<n {
                var key: UInt64 = 0
                for u in 0..<units {
                    key = (key << UInt64(bits)) | UInt64(Int64(indices[r * units + u]) - Int64(minIndex))
                }
                keys[r] = key
            }
        } else {
            var ids: [ArraySlice<Int32>: UInt64] = [:]
            for r in 0..<n {
                let row = indices[(r * units)..<((r + 1) * units)]
                if let id = ids[row] {
                    keys[r] = id
                } else {
                    let id = UInt64(ids.count)
                    ids[row] = id
                    keys[r] = id
                }
            }
        }
        return keys
    }

    /// A bin index from a floored quotient, without trapping: NaN goes to the lowest
    /// index and values beyond the range to its ends. (``RunAnalysis`` refuses
    /// non-finite activations before they reach an estimator; this keeps a direct caller
    /// from crashing on them.)
    static func clampedIndex(_ q: Double, within range: ClosedRange<Int32>) -> Int32 {
        guard !q.isNaN else { return range.lowerBound }
        return Int32(min(max(q, Double(range.lowerBound)), Double(range.upperBound)))
    }

    func bounds(_ activations: Tensor) -> (Double, Double) {
        switch range {
        case .fixed(let low, let high), .global(let low, let high):
            return (low, high)
        case .layer:
            var low = Float.infinity, high = -Float.infinity
            for v in activations.scalars where v.isFinite {
                low = min(low, v)
                high = max(high, v)
            }
            if !(low < high) { return (Double(low), Double(low) + 1) }
            return (Double(low), Double(high))
        }
    }
}
