/// Spearman's rank correlation ρ: Pearson's correlation of the ranks, ties sharing the
/// mean of their ranks. 1 for the same order, −1 for the reverse, ~0 for unrelated maps.
/// NaN when either input is constant.
///
/// - Complexity: O(n log n).
public func spearman(_ a: [Float], _ b: [Float]) -> Double {
    precondition(a.count == b.count, "spearman: \(a.count) against \(b.count) values")
    let ra = ranks(a), rb = ranks(b)
    let n = Double(a.count)
    let ma = ra.reduce(0, +) / n, mb = rb.reduce(0, +) / n
    var cov = 0.0, va = 0.0, vb = 0.0
    for i in ra.indices {
        let da = ra[i] - ma, db = rb[i] - mb
        cov += da * db
        va += da * da
        vb += db * db
    }
    return cov / (va * vb).squareRoot()
}

/// 1-based ranks, ties averaged.
package func ranks(_ values: [Float]) -> [Double] {
    let order = values.indices.sorted { values[$0] < values[$1] }
    var result = [Double](repeating: 0, count: values.count)
    var start = 0
    while start < order.count {
        var end = start
        while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
        let rank = Double(start + end) / 2 + 1
        for k in start...end { result[order[k]] = rank }
        start = end + 1
    }
    return result
}
