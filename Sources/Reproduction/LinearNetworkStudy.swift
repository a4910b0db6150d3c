import Foundation
import Information
import RealModule
import Tensor

/// Saxe et al. 2018, §4 and §6: linear student networks of a linear teacher with
/// Gaussian inputs, where the information plane is exact (``GaussianChannel``).
///
/// The teacher: Y = w₀·X + ε, X ~ N(0, I_N), w₀ ~ N(0, 1/N_rel) on the first N_rel
/// ("relevant") inputs and 0 on the others, ε ~ N(0, σ₀²). The student: ŷ = w₂ᵀ W₁ x
/// (one hidden layer of `hidden` linear units), from weights N(0, init²/fan-in), trained
/// on P samples to minimise the mean squared error, by gradient descent on the full batch
/// or on minibatches (seeded). The hidden layer is read through Gaussian noise of variance
/// σ² (`layerNoise`), T = W₁X + ξ, which makes I(X;T) finite.
///
/// Generalisation error: E(ŷ − y)² = ‖W₁ᵀw₂ − w₀‖² + σ₀², exactly.
package struct LinearNetworkStudy: Sendable {
    package struct Settings: Sendable {
        package var inputs = 100
        /// Inputs the teacher uses (the first ones); the rest are irrelevant.
        package var relevant = 100
        package var hidden = 10
        package var samples = 100
        package var outputNoise = 1.0
        package var layerNoise = 1.0
        package var learningRate = 0.02
        package var epochs = 20_000
        /// nil: full batch.
        package var batchSize: Int?
        package var initScale = 0.01
        package var seed: UInt64 = 2018
        package var loggedPoints = 80

        package init() {}
    }

    package struct Snapshot: Sendable {
        package var epoch: Int
        package var trainError: Double
        package var testError: Double
        /// I(X;T), I(T;Y), I(T;X_relevant), I(T;X_irrelevant), bits.
        package var ixt: Double, ity: Double, relevantInformation: Double, irrelevantInformation: Double
    }

    package var settings: Settings
    package var snapshots: [Snapshot]
    /// W₁ `[hidden][inputs]` at the epochs of `snapshots`.
    package var weights: [[[Double]]]
    package var teacher: [Double]

    /// Epochs 0…E on a logarithmic grid (0 and E included).
    static func loggedEpochs(_ epochs: Int, points: Int) -> [Int] {
        let grid = (0..<points).map { Int((pow(Double(epochs + 1), Double($0) / Double(max(points - 1, 1))) - 1).rounded()) }
        return Array(Set(grid + [0, epochs])).sorted()
    }

    package static func run(_ s: Settings) -> LinearNetworkStudy {
        var rng = SeededRNG(seed: s.seed).fork("linear-teacher")
        let teacher = (0..<s.inputs).map { $0 < s.relevant ? rng.normal() / Double(s.relevant).squareRoot() : 0 }
        let x = (0..<s.samples).map { _ in (0..<s.inputs).map { _ in rng.normal() } }
        let y = x.map { row in zip(row, teacher).reduce(0) { $0 + $1.0 * $1.1 } + s.outputNoise.squareRoot() * rng.normal() }
        var w1 = (0..<s.hidden).map { _ in (0..<s.inputs).map { _ in rng.normal() * s.initScale / Double(s.inputs).squareRoot() } }
        var w2 = (0..<s.hidden).map { _ in rng.normal() * s.initScale / Double(s.hidden).squareRoot() }
        var order = Array(0..<s.samples)
        var batches = SeededRNG(seed: s.seed).fork("linear-minibatches")
        let logged = Set(loggedEpochs(s.epochs, points: s.loggedPoints))
        var study = LinearNetworkStudy(settings: s, snapshots: [], weights: [], teacher: teacher)
        func effective() -> [Double] { (0..<s.inputs).map { k in (0..<s.hidden).reduce(0) { $0 + w1[$1][k] * w2[$1] } } }
        func record(_ epoch: Int) {
            let w = effective()
            let train = zip(x, y).reduce(0) { total, pair in
                let e = zip(pair.0, w).reduce(0) { $0 + $1.0 * $1.1 } - pair.1
                return total + e * e
            } / Double(s.samples)
            let test = zip(w, teacher).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } + s.outputNoise
            study.snapshots.append(Snapshot(epoch: epoch, trainError: train, testError: test,
                                            ixt: GaussianChannel.ixt(w1, noise: s.layerNoise),
                                            ity: GaussianChannel.ity(w1, teacher: teacher, noise: s.layerNoise, outputNoise: s.outputNoise),
                                            relevantInformation: GaussianChannel.ixtBlock(w1, block: 0..<s.relevant, noise: s.layerNoise),
                                            irrelevantInformation: s.relevant < s.inputs ? GaussianChannel.ixtBlock(w1, block: s.relevant..<s.inputs, noise: s.layerNoise) : 0))
            study.weights.append(w1)
        }
        record(0)
        let size = min(s.batchSize ?? s.samples, s.samples)
        for epoch in 1...max(s.epochs, 1) where s.epochs > 0 {
            if size < s.samples { batches.shuffle(&order) }
            for start in stride(from: 0, to: s.samples, by: size) {
                let rows = order[start..<min(start + size, s.samples)]
                let w = effective()
                // g = Xᵀ e / |batch| with e = X w − y: the gradient with respect to the effective weights.
                var g = [Double](repeating: 0, count: s.inputs)
                for r in rows {
                    let e = zip(x[r], w).reduce(0) { $0 + $1.0 * $1.1 } - y[r]
                    for k in 0..<s.inputs { g[k] += e * x[r][k] }
                }
                let scale = 2 / Double(rows.count)
                let projected = w1.map { row in zip(row, g).reduce(0) { $0 + $1.0 * $1.1 } * scale }  // W₁ g
                for h in 0..<s.hidden {
                    for k in 0..<s.inputs { w1[h][k] -= s.learningRate * w2[h] * g[k] * scale }
                    w2[h] -= s.learningRate * projected[h]
                }
            }
            if logged.contains(epoch) { record(epoch) }
        }
        return study
    }
}
