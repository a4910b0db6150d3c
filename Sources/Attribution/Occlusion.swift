import Networks
import Tensor

/// Occlusion sensitivity (Zeiler & Fergus 2014, Fig. 7): slide a window filled with a
/// baseline value over the input and record how much the target's score drops; each
/// input element gets the mean drop over the windows that cover it (Captum's `Occlusion`).
///
/// Windows cover all channels of an image `[h, w, c]` (or a run of a flat input `[n]`).
/// Along each axis there are ⌈(size − window)/stride⌉ + 1 windows starting at k·stride,
/// the last one cut off at the edge, so every element is covered. With disjoint windows
/// (stride = window) each element's value is its window's drop alone. A window whose
/// values already equal the baseline has a drop of exactly 0.
public struct Occlusion: AttributionMethod {
    /// What "score" means.
    public enum Score: String, Sendable, Hashable { case logit, probability }

    /// Window height and width (a flat input uses the width).
    public var window: (height: Int, width: Int)
    public var stride: (height: Int, width: Int)
    public var baseline: Float
    public var score: Score

    public init(window: (Int, Int), stride: (Int, Int)? = nil, baseline: Float = 0, score: Score = .logit) {
        self.window = (window.0, window.1)
        self.stride = stride.map { ($0.0, $0.1) } ?? (window.0, window.1)
        self.baseline = baseline
        self.score = score
    }

    public var name: String { score == .logit ? "occlusion" : "occlusion_probability" }
    public var units: AttributionUnits { .score }
    public func conservationReasons(model: Sequential, bias: BiasConvention) -> [String] { AttributionUnits.notADecomposition(name) }

    /// Window starts along an axis of `size`.
    package static func starts(size: Int, window: Int, stride: Int) -> [Int] {
        let count = (size - window + stride - 1) / stride + 1
        return (0..<count).map { $0 * stride }
    }

    /// - Complexity: one forward pass per window position per sample, batched per sample.
    public func attribute(_ model: Sequential, inputs: Tensor, target: Target) throws(ExplanationError) -> Attribution {
        let shape = model.inputShape
        let (height, width, channels) = shape.count == 3 ? (shape[0], shape[1], shape[2]) : (1, shape.reduce(1, *), 1)
        let window = shape.count == 3 ? self.window : (1, self.window.width)
        let stride = shape.count == 3 ? self.stride : (1, self.stride.width)
        guard window.0 >= 1, window.1 >= 1, window.0 <= height, window.1 <= width, stride.0 >= 1, stride.1 >= 1 else {
            throw ExplanationError("occlusion window \(window.0)×\(window.1) (stride \(stride.0)×\(stride.1)) does not fit inputs of \(height)×\(width)")
        }
        let (_, targets, logits) = try model.resolvedForward(inputs, target)
        let rows = Self.starts(size: height, window: window.0, stride: stride.0)
        let columns = Self.starts(size: width, window: window.1, stride: stride.1)
        let size = inputs.rowSize, positions = rows.count * columns.count
        let reference = scores(logits, targets)
        var map = [Float](repeating: 0, count: inputs.count)
        for b in 0..<inputs.rows {
            let sample = Array(inputs.scalars[(b * size)..<((b + 1) * size)])
            var batch = [Float](); batch.reserveCapacity(positions * size)
            // A window already at the baseline changes nothing: its drop is exactly 0, not
            // the rounding difference of a forward pass in another batch (±3e-8).
            var unchanged = [Bool](); unchanged.reserveCapacity(positions)
            for top in rows {
                for left in columns {
                    var occluded = sample
                    var same = true
                    for y in top..<min(top + window.0, height) {
                        for x in left..<min(left + window.1, width) {
                            for c in 0..<channels {
                                let i = (y * width + x) * channels + c
                                same = same && occluded[i] == baseline
                                occluded[i] = baseline
                            }
                        }
                    }
                    batch += occluded
                    unchanged.append(same)
                }
            }
            let occludedScores = scores(model(Tensor(shape: [positions] + shape, scalars: batch)), Array(repeating: targets[b], count: positions))
            var total = [Float](repeating: 0, count: height * width), covered = total
            var p = 0
            for top in rows {
                for left in columns {
                    let drop = unchanged[p] ? 0 : reference[b] - occludedScores[p]
                    p += 1
                    for y in top..<min(top + window.0, height) {
                        for x in left..<min(left + window.1, width) {
                            total[y * width + x] += drop
                            covered[y * width + x] += 1
                        }
                    }
                }
            }
            for pixel in 0..<(height * width) {
                for c in 0..<channels { map[b * size + pixel * channels + c] = total[pixel] / covered[pixel] }
            }
        }
        return Attribution(method: name, map: Tensor(shape: inputs.shape, scalars: map), targets: targets,
                           explained: Sequential.pick(logits, targets))
    }

    package func scores(_ logits: Tensor, _ targets: [Int]) -> [Float] {
        guard score == .probability else { return Sequential.pick(logits, targets) }
        var p = logits
        let width = p.rowSize
        p.scalars.withUnsafeMutableBufferPointer { Kernels.softmaxRows($0, width: width) }
        return Sequential.pick(p, targets)
    }
}
