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

    /// Analyses a run file, reading one logged epoch of one layer at a time.
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
        var globalRange = (0.0, 1.0)
        if estimators.contains(where: { if case .binning(_, .global) = $0 { return true } else { return false } }) {
            var low = Float.infinity, high = -Float.infinity
            for position in run.loggedEpochs.indices {
                for layer in layers.indices {
                    let t = try activations(run, layer: layer, position: position, isOutput: layer == layers.count - 1)
                    for v in t.scalars where v.isFinite { low = min(low, v); high = max(high, v) }
                }
            }
            globalRange = low < high ? (Double(low), Double(high)) : (Double(low), Double(low) + 1)
        }
        let allLabels = estimators.flatMap(\.labels)
        var ixt = Dictionary(uniqueKeysWithValues: allLabels.map { ($0, [[Double]]()) })
        var ity = ixt
        for position in run.loggedEpochs.indices where !estimators.isEmpty {
            var rowX = Dictionary(uniqueKeysWithValues: allLabels.map { ($0, [Double]()) })
            var rowY = rowX
            for layer in layers.indices {
                let t = try activations(run, layer: layer, position: position, isOutput: layer == layers.count - 1)
                for estimator in estimators {
                    for (label, value) in zip(estimator.labels, estimator.estimate(t, labels: labels, globalRange: globalRange)) {
                        rowX[label, default: []].append(value.ixt)
                        rowY[label, default: []].append(value.ity)
                    }
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
