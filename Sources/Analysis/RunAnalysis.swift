import Information
import Recording
import Tensor

/// The information-plane coordinates of one run: per estimator label, I(X;T) and
/// I(T;Y) in bits as `[logged epoch][layer]`.
public struct RunAnalysis: Sendable {
    public var path: String
    public var seed: UInt64
    public var epochs: [Int]
    public var layerNames: [String]
    /// label → [epoch][layer]
    public var ixt: [String: [[Double]]]
    public var ity: [String: [[Double]]]
    /// Gradient SNR per layer with weights (`layerNames` order, nil without weights) at
    /// `snrEpochs`, and the detected drift → diffusion transition epoch per layer.
    public var snrEpochs: [Int]
    public var snr: [[Double]?]
    public var snrTransition: [Int?]
    /// Per label of a binning on a fixed range: per layer, the share of its values (over
    /// all logged epochs and samples) outside that range, which the binning puts into the
    /// end bins. Empty for other estimators.
    public var clipped: [String: [Double]] = [:]

    /// Analyses a run file, one logged epoch at a time: the layers of the epoch are read
    /// and estimated on every worker at once (``eachLayer(_:layers:position:_:)``), the
    /// same numbers for any worker count.
    ///
    /// The last layer's activations are logits; like the 2017 code (which bins the
    /// softmax output), the analysis uses their softmax probabilities.
    /// - Parameters:
    ///   - estimators: may be empty (only the gradient SNR is computed; no activation is read).
    ///   - gradients: whether to compute the gradient SNR and its transitions.
    ///   - epochDone: called after each logged epoch (for a progress display).
    public static func analyze(_ run: RunFile, estimators: [EstimatorSpec], gradients: Bool = true,
                               epochDone: (() -> Void)? = nil) throws -> RunAnalysis {
        let labels = try run.labels()
        let layers = run.layers
        let groups = layerGroups(run, samples: labels.count)
        // The run's extremes per layer over all logged epochs, for `global` and `auto` ranges.
        var extremes = Array(repeating: (Float.infinity, -Float.infinity), count: layers.count)
        if estimators.contains(where: \.needsRunExtremes) {
            for position in run.loggedEpochs.indices {
                for group in groups {
                    let found = try eachLayer(run, layers: group, position: position) { t, _ in
                        t.scalars.reduce((Float.infinity, -Float.infinity)) { $1.isFinite ? (min($0.0, $1), max($0.1, $1)) : $0 }
                    }
                    for (l, e) in zip(group, found) { extremes[l] = (min(extremes[l].0, e.0), max(extremes[l].1, e.1)) }
                }
            }
        }
        func span(_ e: (Float, Float)) -> (Double, Double) { e.0 < e.1 ? (Double(e.0), Double(e.1)) : (Double(e.0), Double(e.0) + 1) }
        let globalRange = span(extremes.reduce((Float.infinity, -Float.infinity)) { (min($0.0, $1.0), max($0.1, $1.1)) })
        let layerRanges = extremes.map(span)
        // Values outside a fixed binning range, per range and layer, over all logged epochs.
        let clippingRanges = Array(Set(estimators.compactMap { $0.clippingRange.map { [$0.low, $0.high] } })).sorted { $0.lexicographicallyPrecedes($1) }
        var outside = Array(repeating: Array(repeating: 0, count: layers.count), count: clippingRanges.count)
        var counted = Array(repeating: 0, count: layers.count)
        let allLabels = estimators.flatMap(\.labels)
        var ixt = Dictionary(uniqueKeysWithValues: allLabels.map { ($0, [[Double]]()) })
        var ity = ixt
        for position in run.loggedEpochs.indices where !estimators.isEmpty {
            var rowX = Dictionary(uniqueKeysWithValues: allLabels.map { ($0, [Double]()) })
            var rowY = rowX
            for group in groups {
                let results = try eachLayer(run, layers: group, position: position) { t, l in
                    let estimates = estimators.flatMap { estimator in
                        zip(estimator.labels, estimator.estimate(t, labels: labels, globalRange: globalRange, layerRange: layerRanges[l])).map { ($0, $1.ixt, $1.ity) }
                    }
                    let beyond = clippingRanges.map { r in t.scalars.reduce(0) { Double($1) < r[0] || Double($1) > r[1] ? $0 + 1 : $0 } }
                    return (estimates, beyond, t.scalars.count)
                }
                for (l, result) in zip(group, results) {
                    for (label, x, y) in result.0 {
                        rowX[label, default: []].append(x)
                        rowY[label, default: []].append(y)
                    }
                    for r in clippingRanges.indices { outside[r][l] += result.1[r] }
                    counted[l] += result.2
                }
            }
            for label in allLabels {
                ixt[label, default: []].append(rowX[label] ?? [])
                ity[label, default: []].append(rowY[label] ?? [])
            }
            epochDone?()
        }
        var clipped: [String: [Double]] = [:]
        for estimator in estimators {
            guard let range = estimator.clippingRange, let r = clippingRanges.firstIndex(of: [range.low, range.high]) else { continue }
            for label in estimator.labels { clipped[label] = layers.indices.map { counted[$0] > 0 ? Double(outside[r][$0]) / Double(counted[$0]) : 0 } }
        }
        let (snrEpochs, statistics) = gradients ? try run.gradientStatistics() : ([], [:])
        let snr = layers.map { statistics[$0.name]?["snr"] }
        let transitions = snr.map { $0.flatMap { SNRPhases.transition(epochs: snrEpochs, snr: $0) } }
        return RunAnalysis(path: run.path, seed: run.seed, epochs: run.loggedEpochs, layerNames: layers.map(\.name), ixt: ixt, ity: ity,
                           snrEpochs: snrEpochs, snr: snr, snrTransition: transitions, clipped: clipped)
    }

    /// The layers of one logged epoch read together (``eachLayer(_:layers:position:_:)``):
    /// consecutive layers whose activations take at most 64 MiB together as floats (a
    /// larger layer alone), so that memory stays within that or the largest layer.
    static func layerGroups(_ run: RunFile, samples: Int) -> [Range<Int>] {
        let budget = 64 << 20
        var groups: [Range<Int>] = []
        var start = 0, bytes = 0
        for (index, layer) in run.layers.enumerated() {
            let size = layer.outputShape.reduce(samples * 4) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
            if index > start && (size > budget - bytes || bytes > budget) {
                groups.append(start..<index)
                (start, bytes) = (index, 0)
            }
            bytes = size > Int.max - bytes ? Int.max : bytes + size
        }
        if start < run.layers.count { groups.append(start..<run.layers.count) }
        return groups
    }

    /// `body` of each of the layers `layers` at one logged epoch and of its index
    /// (``activations(_:layer:position:isOutput:)``), in layer order, read and computed on
    /// every worker at once: a compacted file's rows then inflate on every core
    /// (``RunCompaction/storedRow(_:_:as:)``) and the layers' estimates run side by side.
    /// The same results for any worker count; the first error in layer order is thrown.
    static func eachLayer<T: Sendable>(_ run: RunFile, layers: Range<Int>, position: Int,
                                       _ body: @Sendable (Tensor, Int) throws -> T) throws -> [T] {
        let last = run.layers.count - 1
        let slots = ConcurrentSlots<Result<T, any Error>>(count: layers.count)
        Parallel.perform(iterations: layers.count) { offset in
            let layer = layers.lowerBound + offset
            slots.set(offset, Result { try body(activations(run, layer: layer, position: position, isOutput: layer == last), layer) })
        }
        return try slots.values.map { try $0.get() }
    }

    /// One layer at one logged epoch, checked: every value finite (a diverged run or a
    /// damaged file is reported with its run, layer and epoch, never estimated).
    package static func activations(_ run: RunFile, layer: Int, position: Int, isOutput: Bool) throws -> Tensor {
        var t = try run.activations(layer: layer, loggedIndex: position)
        if t.scalars.contains(where: { !$0.isFinite }) {
            let bad = t.scalars.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
            let why = run.divergedEpoch.map { "the run diverged at epoch \($0)" } ?? "a damaged file?"
            throw RunFileError(file: run.path, "layer \(run.layers[layer].name) at logged epoch \(run.loggedEpochs[position]): \(bad) of \(t.scalars.count) activations are NaN or infinite (\(why)); nothing to estimate")
        }
        if isOutput {
            let width = t.rowSize
            t.scalars.withUnsafeMutableBufferPointer { Kernels.softmaxRows($0, width: width) }
        }
        return t
    }
}
