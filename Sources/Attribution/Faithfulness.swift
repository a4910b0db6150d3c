import Networks
import Tensor

/// How faithful a map is to the model: perturb the input in the map's order and watch the
/// score fall (or, inserting, rise), against the same for a random order.
///
/// - **Region perturbation / pixel flipping** (Samek et al. 2017, "Evaluating the
///   visualization of what a deep neural network has learned", IEEE TNNLS): regions
///   (non-overlapping `region`×`region` squares of an image, single features of a flat
///   input) are ranked by summed relevance and replaced, most relevant first (MoRF), by
///   uniform noise over the inputs' range. AOPC = 1/(L+1) Σ_{k=0}^{L} (f(x⁽⁰⁾) − f(x⁽ᵏ⁾)),
///   f the target logit: higher is more faithful.
/// - **Deletion and insertion** (Petsiuk et al. 2018, RISE, BMVC): the target's
///   probability as the most relevant regions are set to the baseline (deletion: lower
///   area is better) or copied from x into the baseline image (insertion: higher is
///   better), over `steps` equal fractions; the area under the curve by the trapezoid
///   rule on [0, 1].
///
/// Every score has a random-order counterpart (the mean over `randomOrders` seeded
/// permutations): a map is informative when it beats it.
public struct Faithfulness: Sendable {
    /// What AOPC puts in place of a perturbed region.
    public enum Replacement: String, Sendable, Hashable, CaseIterable {
        /// Uniform noise over the inputs' range (Samek et al.'s choice).
        case noise
        /// The ``Faithfulness/baseline`` value.
        case baseline
    }

    /// The side of the square regions of an image (1: pixel flipping).
    public var region: Int
    /// Perturbation steps: after step k, ⌈k·R/steps⌉ of the R regions are perturbed.
    public var steps: Int
    /// The value deletion writes and insertion starts from (0: black).
    public var baseline: Float
    public var replacement: Replacement
    public var randomOrders: Int
    public var seed: UInt64

    public init(region: Int = 1, steps: Int = 20, baseline: Float = 0, replacement: Replacement = .noise, randomOrders: Int = 3, seed: UInt64 = 0) {
        self.region = region
        self.steps = steps
        self.baseline = baseline
        self.replacement = replacement
        self.randomOrders = randomOrders
        self.seed = seed
    }

    /// Per-sample scores of one map.
    public struct Scores: Sendable, Equatable {
        public var aopc: [Double], aopcRandom: [Double]
        public var deletion: [Double], deletionRandom: [Double]
        public var insertion: [Double], insertionRandom: [Double]
    }

    /// The regions of one sample: lists of element indices.
    package func regions(shape: [Int]) -> [[Int]] {
        guard shape.count == 3 else { return (0..<shape.reduce(1, *)).map { [$0] } }
        let (h, w, c) = (shape[0], shape[1], shape[2])
        var result: [[Int]] = []
        for top in stride(from: 0, to: h, by: region) {
            for left in stride(from: 0, to: w, by: region) {
                var cell: [Int] = []
                for y in top..<min(top + region, h) {
                    for x in left..<min(left + region, w) { for k in 0..<c { cell.append((y * w + x) * c + k) } }
                }
                result.append(cell)
            }
        }
        return result
    }

    public func evaluate(_ model: Sequential, inputs: Tensor, attribution: Attribution) throws(ExplanationError) -> Scores {
        guard region >= 1, steps >= 1 else { throw ExplanationError("faithfulness needs region ≥ 1 and steps ≥ 1") }
        guard attribution.map.rows == inputs.rows else { throw ExplanationError("\(attribution.map.rows) maps for \(inputs.rows) inputs") }
        let cells = regions(shape: model.inputShape)
        let size = inputs.rowSize, mapSize = attribution.map.rowSize
        let low = inputs.scalars.min() ?? 0, high = inputs.scalars.max() ?? 1
        var scores = Scores(aopc: [], aopcRandom: [], deletion: [], deletionRandom: [], insertion: [], insertionRandom: [])
        let rng = SeededRNG(seed: seed).fork("faithfulness")
        for b in 0..<inputs.rows {
            let x = Array(inputs.scalars[(b * size)..<((b + 1) * size)])
            let relevance = attribution.sample(b)
            // A map with fewer channels than the input (Grad-CAM) counts per pixel.
            let ratio = size / max(mapSize, 1)
            let cellRelevance = cells.map { cell in cell.reduce(0.0) { $0 + Double(relevance[$1 / max(ratio, 1) % mapSize]) } / Double(max(ratio, 1)) }
            let order = cells.indices.sorted { cellRelevance[$0] > cellRelevance[$1] }
            let target = attribution.targets[b]
            var noise = rng.fork("noise-\(b)")
            let replacement = self.replacement == .baseline ? [Float](repeating: baseline, count: size) : (0..<size).map { _ in noise.uniform(low, high) }
            func measure(_ order: [Int]) -> (Double, Double, Double) {
                (aopc(model, x, order, cells, replacement, target), curve(model, x, order, cells, target, insert: false),
                 curve(model, x, order, cells, target, insert: true))
            }
            let ordered = measure(order)
            var random = (0.0, 0.0, 0.0)
            for r in 0..<randomOrders {
                var shuffle = rng.fork("order-\(b)-\(r)")
                var permutation = Array(cells.indices)
                for i in stride(from: permutation.count - 1, to: 0, by: -1) {
                    permutation.swapAt(i, Int(shuffle.next() % UInt64(i + 1)))
                }
                let m = measure(permutation)
                random = (random.0 + m.0, random.1 + m.1, random.2 + m.2)
            }
            let n = Double(max(randomOrders, 1))
            scores.aopc.append(ordered.0); scores.aopcRandom.append(random.0 / n)
            scores.deletion.append(ordered.1); scores.deletionRandom.append(random.1 / n)
            scores.insertion.append(ordered.2); scores.insertionRandom.append(random.2 / n)
        }
        return scores
    }

    /// The regions perturbed after each of the `steps` steps (step k: ⌈k·R/steps⌉ regions).
    package func counts(_ regions: Int) -> [Int] {
        (0...steps).map { ($0 * regions + steps - 1) / steps }
    }

    package func aopc(_ model: Sequential, _ x: [Float], _ order: [Int], _ cells: [[Int]], _ replacement: [Float], _ target: Int) -> Double {
        var batch: [Float] = []
        var current = x
        var done = 0
        for count in counts(order.count) {
            while done < count {
                for i in cells[order[done]] { current[i] = replacement[i] }
                done += 1
            }
            batch += current
        }
        let rows = steps + 1
        let f = Sequential.pick(model(Tensor(shape: [rows] + model.inputShape, scalars: batch)), Array(repeating: target, count: rows))
        return f.reduce(0.0) { $0 + Double(f[0] - $1) } / Double(rows)
    }

    package func curve(_ model: Sequential, _ x: [Float], _ order: [Int], _ cells: [[Int]], _ target: Int, insert: Bool) -> Double {
        var current = insert ? [Float](repeating: baseline, count: x.count) : x
        var batch: [Float] = []
        var done = 0
        for count in counts(order.count) {
            while done < count {
                for i in cells[order[done]] { current[i] = insert ? x[i] : baseline }
                done += 1
            }
            batch += current
        }
        let rows = steps + 1
        var p = model(Tensor(shape: [rows] + model.inputShape, scalars: batch))
        let width = p.rowSize
        p.scalars.withUnsafeMutableBufferPointer { Kernels.softmaxRows($0, width: width) }
        let probabilities = Sequential.pick(p, Array(repeating: target, count: rows)).map(Double.init)
        // Trapezoid rule over fractions 0, 1/steps, …, 1.
        var area = 0.0
        for k in 1..<rows { area += (probabilities[k - 1] + probabilities[k]) / 2 }
        return area / Double(steps)
    }
}
