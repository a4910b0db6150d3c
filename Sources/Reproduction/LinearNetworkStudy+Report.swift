import Foundation
import Information
import Plotting
import RealModule
import Tensor

extension LinearNetworkStudy {
    /// One estimator's value of I(X;T) against the exact one on a trained layer.
    package struct Score: Sendable {
        package var estimator: String
        package var epoch: Int
        package var exact: Double
        package var estimate: Double
        package var error: Double { estimate - exact }
    }

    /// Our estimators on the hidden layer's activations for `samples` fresh inputs, at the
    /// snapshots `at` (indices), against the exact I(X;T) of T = W₁X + ξ: binning of the
    /// deterministic T (30 and 100 bins over the layer's range: it measures something
    /// else, and says how much), the KDE bounds with the layer noise σ², and k-NN
    /// (Kozachenko–Leonenko ĥ of the noisy T minus the noise entropy ½·d·log₂(2πeσ²)).
    package func scores(samples: Int = 2000, at indices: [Int]) -> [Score] {
        var rng = SeededRNG(seed: settings.seed).fork("linear-estimator-samples")
        let s = settings
        let x = (0..<samples).map { _ in (0..<s.inputs).map { _ in rng.normal() } }
        let noise = (0..<samples).map { _ in (0..<s.hidden).map { _ in rng.normal() * s.layerNoise.squareRoot() } }
        let labels = [Int32](repeating: 0, count: samples)
        var scores: [Score] = []
        for index in indices where snapshots.indices.contains(index) {
            let w = weights[index], epoch = snapshots[index].epoch, exact = snapshots[index].ixt
            let t = x.map { row in w.map { unit in zip(unit, row).reduce(0) { $0 + $1.0 * $1.1 } } }
            let clean = Tensor(shape: [samples, s.hidden], scalars: t.flatMap { $0.map(Float.init) })
            let noisy = Tensor(shape: [samples, s.hidden], scalars: zip(t, noise).flatMap { zip($0, $1).map { Float($0 + $1) } })
            for bins in [30, 100] {
                let value = BinnedEstimator(.intervals(bins), range: .layer).estimate(clean, labels: labels).ixt
                scores.append(Score(estimator: "binning, \(bins) bins", epoch: epoch, exact: exact, estimate: value))
            }
            let kde = KDEEstimator(noiseVariance: s.layerNoise).estimate(clean, labels: labels)
            scores.append(Score(estimator: "KDE upper bound", epoch: epoch, exact: exact, estimate: kde.upper.ixt))
            scores.append(Score(estimator: "KDE lower bound", epoch: epoch, exact: exact, estimate: kde.lower.ixt))
            let noiseEntropy = 0.5 * Double(s.hidden) * Double.log2(2 * Double.pi * Double.exp(1) * s.layerNoise)
            scores.append(Score(estimator: "k-NN (k = 3)", epoch: epoch, exact: exact, estimate: KNNEntropyEstimator(k: 3).entropy(noisy) - noiseEntropy))
        }
        return scores
    }

    /// The snapshot with the smallest generalisation error.
    package var best: Snapshot? { snapshots.min { $0.testError < $1.testError } }

    /// Saxe et al.'s overtraining claim: generalisation error falls, then rises by more
    /// than 10% of its minimum, while I(X;T) never falls by more than 0.001 bits.
    package var overtrainsWithoutCompressing: Bool {
        guard let best, let last = snapshots.last else { return false }
        return last.testError > 1.1 * best.testError && largestDrop(\.ixt) < 1e-3
    }

    /// The largest fall of a quantity from its running maximum, bits.
    package func largestDrop(_ value: KeyPath<Snapshot, Double>) -> Double {
        var peak = -Double.infinity, drop = 0.0
        for snapshot in snapshots {
            peak = max(peak, snapshot[keyPath: value])
            drop = max(drop, peak - snapshot[keyPath: value])
        }
        return drop
    }

    /// Saxe et al.'s §6 claim: I(T; X_irrelevant) peaks and then falls by at least 10% of
    /// its peak, and the peak comes before I(T; X_relevant) reaches 90% of its final value
    /// (compression concurrent with fitting, not after it).
    package var compressesIrrelevantWhileFitting: Bool {
        guard let peak = snapshots.indices.max(by: { snapshots[$0].irrelevantInformation < snapshots[$1].irrelevantInformation }),
              let last = snapshots.last else { return false }
        let fell = snapshots[peak].irrelevantInformation - last.irrelevantInformation >= 0.1 * snapshots[peak].irrelevantInformation
        let fitted = snapshots.firstIndex { $0.relevantInformation >= 0.9 * last.relevantInformation } ?? snapshots.count
        return fell && peak < fitted
    }

    package func describe() -> String {
        let s = settings
        return "\(s.inputs) Gaussian inputs (\(s.relevant) relevant), \(s.hidden) linear hidden units, \(s.samples) samples, teacher noise σ₀² = \(s.outputNoise), layer noise σ² = \(s.layerNoise), "
            + (s.batchSize.map { "SGD with batches of \($0)" } ?? "full-batch gradient descent") + String(format: " at rate %g for %d epochs", s.learningRate, s.epochs)
    }

    package func curves(_ title: String) -> SVG {
        let epochs = snapshots.map { Double(max($0.epoch, 1)) }
        func series(_ name: String, _ value: KeyPath<Snapshot, Double>) -> Figures.Series {
            .init(name: name, points: Array(zip(epochs, snapshots.map { $0[keyPath: value] })))
        }
        var panels: [(title: String, yLabel: String, series: [Figures.Series], markers: [(Double, String)])] = [
            (title: "errors", yLabel: "mean squared error", series: [series("train", \.trainError), series("test (exact)", \.testError)], markers: []),
            (title: "information (exact)", yLabel: "bits", series: [series("I(X;T)", \.ixt), series("I(T;Y)", \.ity)], markers: []),
        ]
        if settings.relevant < settings.inputs {
            panels.append((title: "relevant and irrelevant inputs", yLabel: "bits",
                           series: [series("I(T;X relevant)", \.relevantInformation), series("I(T;X irrelevant)", \.irrelevantInformation)], markers: []))
        }
        return Figures.lines(panels, xLabel: "epoch", logX: true, title: title)
    }
}
