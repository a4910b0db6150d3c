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
        var globalRange = (0.0, 1.0)
        if estimators.contains(where: { if case .binning(_, .global) = $0 { return true } else { return false } }) {
            var low = Float.infinity, high = -Float.infinity
            for position in run.loggedEpochs.indices {
                for group in groups {
                    for extremes in try eachLayer(run, layers: group, position: position, { t in
                        t.scalars.reduce((Float.infinity, -Float.infinity)) { $1.isFinite ? (min($0.0, $1), max($0.1, $1)) : $0 }
                    }) {
                        (low, high) = (min(low, extremes.0), max(high, extremes.1))
                    }
                }
            }
            globalRange = low < high ? (Double(low), Double(high)) : (Double(low), Double(low) + 1)
        }
        let allLabels = estimators.flatMap(\.labels)
        var ixt = Dictionary(uniqueKeysWithValues: allLabels.map { ($0, [[Double]]()) })
        var ity = ixt
        let range = globalRange
        for position in run.loggedEpochs.indices where !estimators.isEmpty {
            var rowX = Dictionary(uniqueKeysWithValues: allLabels.map { ($0, [Double]()) })
            var rowY = rowX
            for group in groups {
                let estimates = try eachLayer(run, layers: group, position: position) { t in
                    estimators.flatMap { estimator in
                        zip(estimator.labels, estimator.estimate(t, labels: labels, globalRange: range)).map { ($0, $1.ixt, $1.ity) }
                    }
                }
                for (label, x, y) in estimates.joined() {
                    rowX[label, default: []].append(x)
                    rowY[label, default: []].append(y)
                }
            }
            for label in allLabels {
                ixt[label, default: []].append(rowX[label] ?? [])
                ity[label, default: []].append(rowY[label] ?? [])
            }
            epochDone?()
        }
        let (snrEpochs, statistics) = gradients ? try run.gradientStatistics() : ([], [:])
        let snr = layers.map { statistics[$0.name]?["snr"] }
        let transitions = snr.map { $0.flatMap { SNRPhases.transition(epochs: snrEpochs, snr: $0) } }
        return RunAnalysis(path: run.path, seed: run.seed, epochs: run.loggedEpochs, layerNames: layers.map(\.name), ixt: ixt, ity: ity,
                           snrEpochs: snrEpochs, snr: snr, snrTransition: transitions)
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

    /// `body` of each of the layers `layers` at one logged epoch
    /// (``activations(_:layer:position:isOutput:)``), in layer order, read and computed on
    /// every worker at once: a compacted file's rows then inflate on every core
    /// (``RunCompaction/storedRow(_:_:as:)``) and the layers' estimates run side by side.
    /// The same results for any worker count; the first error in layer order is thrown.
    static func eachLayer<T: Sendable>(_ run: RunFile, layers: Range<Int>, position: Int,
                                       _ body: @Sendable (Tensor) throws -> T) throws -> [T] {
        let last = run.layers.count - 1
        let slots = ConcurrentSlots<Result<T, any Error>>(count: layers.count)
        Parallel.perform(iterations: layers.count) { offset in
            let layer = layers.lowerBound + offset
            slots.set(offset, Result { try body(activations(run, layer: layer, position: position, isOutput: layer == last)) })
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
