import Attribution
import Datasets
import Embedding
import Experiments
import Foundation
import Information
import Networks
import Recording
import Tensor

/// Binning and KDE per logged epoch, in alternating rounds with numpy's binning and
/// PyTorch's KDE (`benchmarks/reference.py information`).
func informationBenchmark() throws -> [Row] {
    print("== Estimators per logged epoch: the 6 layers of a trained IBnet on all 4096 inputs")
    let data = try DatasetLoaders.mat("data/var_u.mat")
    let examples = Examples(inputs: data.inputs, labels: data.labels)
    let split = Split.shuffled(count: 4096, trainFraction: 0.8, seed: 0)
    var trainer = Trainer(model: try Sequential.mlp(inputSize: 12, widths: [10, 7, 5, 4, 3], classes: 2, activation: .tanh,
                                                    initializer: .truncatedNormalFanIn, rng: SeededRNG(seed: 0)),
                          optimizer: Adam(learningRate: 4e-4))
    try trainer.train(examples, trainRows: split.train, testRows: split.test, schedule: TrainingSchedule(epochs: 300, batchSize: 256, seed: 0))
    let layers = trainer.model.forward(examples.inputs).map(\.output)
    let (ours, reference) = alternating(rounds: 3, reference: "information") { () -> (binning: Double, kde: Double) in
        let binning = median((0..<30).map { _ in
            seconds { for t in layers { _ = BinnedEstimator(.intervals(30)).estimate(t, labels: data.labels) } } * 1000
        })
        let kde = median((0..<3).map { _ in
            seconds { for t in layers { _ = KDEEstimator(noiseVariance: 0.1).estimate(t, labels: data.labels) } } * 1000
        })
        return (binning, kde)
    }
    let binning = ours.map(\.binning), kde = ours.map(\.kde)
    let numpy = values(reference, "binning_ms"), torch = values(reference, "kde_ms")
    report("binning, 30 intervals, 6 layers", ours: median(binning), reference: numpy.isEmpty ? nil : median(numpy), label: "numpy")
    print("   target: ≤ 0.5 ms and ≥ 50× numpy")
    report("KDE upper and lower bounds, I(X;T) and I(T;Y), 6 layers", ours: median(kde), reference: torch.isEmpty ? nil : median(torch))
    print("   target: ≥ 25× PyTorch (the PyTorch reference computes the upper bound only)")
    var rows = [Row(workload: "binning, 6 layers × 4096", ours: median(binning), spread: spread(binning), unit: "ms",
                    reference: numpy.isEmpty ? nil : median(numpy), label: "numpy", target: "≥ 50× numpy, ≤ 0.5 ms", met: nil),
                Row(workload: "KDE bounds, 6 layers", ours: median(kde), spread: spread(kde), unit: "ms",
                    reference: torch.isEmpty ? nil : median(torch), label: "PyTorch", target: "≥ 25× PyTorch", met: nil)]
    rows[0].met = rows[0].ratio.map { $0 >= 50 && median(binning) <= 0.5 }
    rows[1].met = rows[1].ratio.map { $0 >= 25 }
    return rows
}

/// The k-NN estimators on their k-d trees against scipy's cKDTree (`benchmarks/reference.py
/// knn`): Kozachenko–Leonenko ĥ(T) and ĥ(T|Y), and KSG I(T;Y), k = 3, 2 classes, on
/// tanh of uniform values (a layer whose points fill their d dimensions: the hard case).
func knnBenchmark() -> [Row] {
    print("== k-NN estimators (k-d trees) against scipy's cKDTree, 2 workers each")
    let cases = [(4096, 3), (4096, 10), (60000, 3), (60000, 10)]
    let data = cases.map { n, d in
        var rng = SeededRNG(seed: 1)
        return (Tensor(shape: [n, d], scalars: (0..<(n * d)).map { _ in Kernels.fastTanh(rng.uniform(-3, 3)) }),
                (0..<n).map { Int32($0 % 2) })
    }
    let (ours, reference) = alternating(rounds: 3, reference: "knn") { () -> [[Double]] in
        data.map { t, labels in
            [median((0..<3).map { _ in seconds { _ = KNNEntropyEstimator(k: 3).estimate(t, labels: labels) } * 1000 }),
             median((0..<3).map { _ in seconds { _ = KSGEstimator(k: 3).mutualInformation(t, labels: labels) } * 1000 })]
        }
    }
    var rows: [Row] = []
    for (c, (n, d)) in cases.enumerated() {
        for (e, name) in ["knn", "ksg"].enumerated() {
            let mine = ours.map { $0[c][e] }
            let scipy = values(reference, "\(name)_\(n)_\(d)_ms")
            let title = "\(name == "knn" ? "k-NN ĥ(T), ĥ(T|Y)" : "KSG I(T;Y)"), n = \(n), d = \(d)"
            report(title, ours: median(mine), reference: scipy.isEmpty ? nil : median(scipy), label: "scipy")
            var row = Row(workload: title, ours: median(mine), spread: spread(mine), unit: "ms",
                          reference: scipy.isEmpty ? nil : median(scipy), label: "scipy", target: "≥ 2× scipy", met: nil)
            row.met = row.ratio.map { $0 >= 2 }
            rows.append(row)
        }
    }
    return rows
}

/// How the estimators' time grows with the number of samples: one 3-unit tanh layer of
/// n inputs (a trained IBnet's last hidden layer has 3 units), n = 1k, 4k, 10k, 16k, 60k, 64k;
/// the exponent fitted between neighbouring sizes (log(t₂/t₁) / log(n₂/n₁)).
func scalingBenchmark() {
    print("== Estimators against the number of samples: one layer of 3 tanh units, 2 classes")
    var rng = SeededRNG(seed: 9)
    var previous: [String: (Int, Double)] = [:]
    for n in [1024, 4096, 10000, 16384, 60000, 65536] {
        let t = Tensor(shape: [n, 3], scalars: (0..<(n * 3)).map { _ in Kernels.fastTanh(rng.uniform(-3, 3)) })
        let labels = (0..<n).map { Int32($0 % 2) }
        var row: [String] = []
        let repeatsFor: [String: Int] = ["binning": n <= 16384 ? 21 : 7, "KDE": n <= 10000 ? 5 : 1, "k-NN": n <= 4096 ? 3 : 1, "KSG": n <= 4096 ? 3 : 1]
        for (name, body) in [("binning", { _ = BinnedEstimator(.intervals(30)).estimate(t, labels: labels) }),
                             ("KDE", { _ = KDEEstimator(noiseVariance: 0.1).estimate(t, labels: labels) }),
                             ("k-NN", { _ = KNNEntropyEstimator(k: 3).estimate(t, labels: labels) }),
                             ("KSG", { _ = KSGEstimator(k: 3).mutualInformation(t, labels: labels) })] as [(String, () -> Void)] {
            let ms = median((0..<(repeatsFor[name] ?? 1)).map { _ in seconds(body) * 1000 })
            let exponent = previous[name].map { String(format: " (n^%.2f)", log(ms / $0.1) / log(Double(n) / Double($0.0))) } ?? ""
            row.append(String(format: "%@ %.3g ms%@", name, ms, exponent))
            previous[name] = (n, ms)
        }
        print(String(format: "   n = %6d: ", n) + row.joined(separator: ", "))
    }
}

/// How the estimators' time grows with the layer's width: n = 4096 samples of tanh units,
/// 2 classes, widths 3 … 1024; the exponent of the width between neighbouring widths.
/// k-NN searches a k-d tree up to 20 units and scans beyond; KSG keeps its trees.
func widthScalingBenchmark() {
    print("== Estimators against the layer width: 4096 samples of tanh units, 2 classes")
    var previous: [String: (Int, Double)] = [:]
    for width in [3, 10, 30, 100, 300, 1024] {
        var rng = SeededRNG(seed: 11)
        let t = Tensor(shape: [4096, width], scalars: (0..<(4096 * width)).map { _ in Kernels.fastTanh(rng.uniform(-3, 3)) })
        let labels = (0..<4096).map { Int32($0 % 2) }
        var row: [String] = []
        for (name, body) in [("binning", { _ = BinnedEstimator(.intervals(30)).estimate(t, labels: labels) }),
                             ("KDE", { _ = KDEEstimator(noiseVariance: 0.1).estimate(t, labels: labels) }),
                             ("k-NN", { _ = KNNEntropyEstimator(k: 3).estimate(t, labels: labels) }),
                             ("KSG", { _ = KSGEstimator(k: 3).mutualInformation(t, labels: labels) }),
                             ("Rényi α=2", { _ = MatrixRenyiEstimator(alpha: 2).estimate(t, labels: labels) }),
                             ("Rényi α=1.01", { _ = MatrixRenyiEstimator(alpha: 1.01).estimate(t, labels: labels) })]
            as [(String, () -> Void)] {
            let ms = median((0..<3).map { _ in seconds(body) * 1000 })
            let exponent = previous[name].map { String(format: " (w^%.2f)", log(ms / $0.1) / log(Double(width) / Double($0.0))) } ?? ""
            row.append(String(format: "%@ %.3g ms%@", name, ms, exponent))
            previous[name] = (width, ms)
        }
        print(String(format: "   width %4d: ", width) + row.joined(separator: ", "))
    }
}

