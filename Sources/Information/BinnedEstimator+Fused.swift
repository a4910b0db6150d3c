import CKernels
import RealModule
import Tensor

extension BinnedEstimator {
    /// The common case in one pass, with no intermediate arrays: `intervals` binning whose
    /// bin indices pack into one 64-bit key per row (bits per unit × units ≤ 64: 30 bins
    /// and up to 12 units) and at most 8 classes. Each row's key is built as its units are
    /// quantised, and one open-addressing table counts every key with a count per class,
    /// from which H(T), H(T,Y) and H(Y) follow. Same values as the general path (the sums
    /// in another order: within a few ulps).
    ///
    /// - Returns: nil when the case does not apply.
    /// - Complexity: O(n · units); memory O(n) for the table.
    func fusedEstimate(_ activations: Tensor, labels: [Int32]) -> (ixt: Double, ity: Double)? {
        guard case .intervals(let count) = binning, count >= 1 else { return nil }
        let n = activations.rows, units = activations.rowSize
        var bits = 1
        while (1 << bits) < count { bits += 1 }
        // 63 bits: keys are stored plus one, so that 0 marks an empty slot.
        guard bits * units <= 63, units <= Int(IP_BINNING_MAX_UNITS), n > 0, labels.count == n else { return nil }
        guard let lowest = labels.min(), let highest = labels.max(), lowest >= 0, highest < 8 else { return nil }
        let classes = Int(highest) + 1
        let (low, high) = bounds(activations)
        let scale = Double(count) / (high - low)
        let top = Double(count - 1)
        var size = 16, shift: UInt64 = 60
        while size < 2 * n { size <<= 1; shift -= 1 }
        var keys = [UInt64](repeating: 0, count: size)
        var counts = [Int32](repeating: 0, count: size * classes)
        var used = [Int32](repeating: 0, count: n)
        var distinct = 0
        var perClass = [Int64](repeating: 0, count: classes)
        // The counting pass, in C (CKernels/binning_kernels.c): the quantisation of 256 rows
        // at a time vectorises there, in double as here.
        activations.scalars.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { labels in
                distinct = Int(ip_binning_count(1, x.baseAddress!, Int64(n), Int32(units), low, scale, top, Int32(bits),
                                                labels.baseAddress!, Int32(classes), &keys, &counts, Int64(size), Int32(shift),
                                                &used, &perClass))
            }
        }
        // Σ c log₂ c over symbols and over (symbol, class) pairs; singletons add 0.
        var symbolSum = 0.0, jointSum = 0.0
        for k in 0..<distinct {
            let slot = Int(used[k])
            var total: Int32 = 0
            for c in 0..<classes {
                let count = counts[slot * classes + c]
                total += count
                if count > 1 { jointSum += Double(count) * Double.log2(Double(count)) }
            }
            if total > 1 { symbolSum += Double(total) * Double.log2(Double(total)) }
        }
        let total = Double(n)
        let ht = Double.log2(total) - symbolSum / total
        let hty = Double.log2(total) - jointSum / total
        var hy = 0.0
        for c in perClass where c > 0 { let p = Double(c) / total; hy -= p * Double.log2(p) }
        return (ht, max(0, ht + hy - hty))
    }
}
