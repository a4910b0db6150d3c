import Attribution
import Datasets
import Embedding
import Experiments
import Foundation
import Information
import Networks
import Recording
import Tensor

// infoplane-bench: the training engine's timings on this machine, next to the PyTorch
// reference (benchmarks/reference.py) when a Python with torch is available.
// Run with `make bench` (release build). Timings are wall-clock medians.

/// Wall-clock seconds of `body`.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

/// The middle half of `values` (first to third quartile), as text.
func spread(_ values: [Double]) -> String {
    let sorted = values.sorted()
    guard sorted.count >= 4 else { return String(format: "%.3g–%.3g", sorted.first ?? .nan, sorted.last ?? .nan) }
    return String(format: "IQR %.3g–%.3g", sorted[sorted.count / 4], sorted[(3 * sorted.count) / 4])
}

/// One line of the summary table `make bench` ends with.
struct Row {
    var workload: String
    var ours: Double
    var spread: String
    var unit: String
    var reference: Double?
    var label: String
    var target: String
    var met: Bool?
}

/// Keeps what the recorder of a later issue would need, in memory: every minibatch's
/// gradients and, every epoch, the activations of all inputs.
final class BenchObserver: TrainingObserver {
    let observedRows: [Int]
    var gradientTensors = 0
    var activationScalars = 0

    init(rows: [Int]) { observedRows = rows }
    func wantsLayerOutputs(completedEpochs: Int) -> Bool { !observedRows.isEmpty }
    func didComputeGradients(_ event: MinibatchEvent) throws {
        gradientTensors += event.gradients.reduce(0) { $0 + $1.count }
    }
    func didEvaluate(_ event: EvaluationEvent) throws {
        activationScalars += event.layerOutputs?.reduce(0) { $0 + $1.count } ?? 0
    }
}

/// Runs `benchmarks/reference.py WORKLOAD` with a Python that has torch; nil when none.
func pytorchReference(_ workload: String) -> [String: Double]? {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    let script = root.appendingPathComponent("reference.py").path
    let candidates = [ProcessInfo.processInfo.environment["INFOPLANE_BENCH_PYTHON"], "/usr/bin/python3",
                      root.deletingLastPathComponent().appendingPathComponent(".venv/bin/python").path].compactMap { $0 }
    for python in candidates where FileManager.default.isExecutableFile(atPath: python) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, workload]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { continue }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Double] else { continue }
        return json
    }
    return nil
}

func report(_ name: String, ours: Double, reference: Double?, unit: String = "ms", label: String = "PyTorch") {
    var line = "\(name): \(String(format: "%.3f", ours)) \(unit)"
    if let reference {
        line += String(format: "   %@ %.3f %@   ratio %@/ours %.1f×", label, reference, unit, label, reference / ours)
    }
    print(line)
}

func ibnetBenchmark() throws {
    print("== IBnet epoch: 12-10-7-5-4-3-2 tanh, Adam 4e-4, batch 256, 3277 training samples,")
    print("   per-minibatch gradients to an observer, activations of all 4096 inputs every epoch")
    let data = try DatasetLoaders.mat("data/var_u.mat")
    let examples = Examples(inputs: data.inputs, labels: data.labels)
    let split = Split.shuffled(count: 4096, trainFraction: 0.8, seed: 0)
    let model = try Sequential.mlp(inputSize: 12, widths: [10, 7, 5, 4, 3], classes: 2, activation: .tanh,
                                   initializer: .truncatedNormalFanIn, rng: SeededRNG(seed: 0))
    var trainer = Trainer(model: model, optimizer: Adam(learningRate: 4e-4))
    let observer = BenchObserver(rows: Array(0..<4096))
    var epochs = 50
    try trainer.train(examples, trainRows: split.train, testRows: split.test,
                      schedule: TrainingSchedule(epochs: epochs, batchSize: 256, seed: 0), observers: [observer])
    var samples: [Double] = []
    for _ in 0..<7 {
        epochs += 100
        let t = try seconds {
            try trainer.train(examples, trainRows: split.train, testRows: split.test,
                              schedule: TrainingSchedule(epochs: epochs, batchSize: 256, seed: 0), observers: [observer])
        }
        samples.append(t / 100 * 1000)
    }
    let reference = pytorchReference("ibnet")
    report("IBnet epoch (no file writes)", ours: median(samples), reference: reference?["epoch_ms"])
    if reference == nil { print("   (PyTorch reference not run: no Python with torch found; see benchmarks/README.md)") }
    print("   target: ≤ 1 ms per epoch")
}

/// The IBnet epoch recorded, against the same epoch unrecorded, in alternating rounds of
/// one process (this machine's speed drifts by tens of percent within an hour, so
/// separate measurements would compare different machines): each round trains a fresh
/// network for 100 epochs with every variant in turn; medians over the rounds.
func recordingBenchmark() throws -> [Row] {
    print("== IBnet epoch with recording: all 4096 inputs × 6 layers every epoch, gradient statistics,")
    print("   and a checkpoint per epoch, to a run file in the temporary directory; alternating with")
    print("   the same epoch unrecorded (activations computed, not written)")
    let data = try DatasetLoaders.mat("data/var_u.mat")
    let examples = Examples(inputs: data.inputs, labels: data.labels)
    let split = Split.shuffled(count: 4096, trainFraction: 0.8, seed: 0)
    let samples = RecordedSamples(rows: Array(0..<4096), examples: examples, trainRows: split.train, testRows: split.test,
                                  datasetName: "var_u", classCount: 2)
    let variants: [(name: String, storage: ActivationStorage?, depth: Int)] = [
        ("unrecorded", nil, 0), ("float32", .float32, 2), ("float16", .float16, 2),
        ("float32, synchronous writes", .float32, 0), ("float16, synchronous writes", .float16, 0)]
    let epochs = 100
    var times = [[Double]](repeating: [], count: variants.count)
    var fileBytes: [Int: Int] = [:]
    for round in 0..<11 {
        for offset in variants.indices {
            let v = (offset + round) % variants.count
            let model = try Sequential.mlp(inputSize: 12, widths: [10, 7, 5, 4, 3], classes: 2, activation: .tanh,
                                           initializer: .truncatedNormalFanIn, rng: SeededRNG(seed: 0))
            var trainer = Trainer(model: model, optimizer: Adam(learningRate: 4e-4))
            let schedule = TrainingSchedule(epochs: epochs, batchSize: 256, seed: 0)
            guard let storage = variants[v].storage else {
                let observer = BenchObserver(rows: Array(0..<4096))
                times[v].append(try seconds {
                    try trainer.train(examples, trainRows: split.train, testRows: split.test, schedule: schedule, observers: [observer])
                } / Double(epochs) * 1000)
                continue
            }
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-bench-\(v).h5").path
            let recorder = try RunRecorder(path: path, overwrite: true,
                                           metadata: RunMetadata(experiment: "bench", config: "", seed: 0, tool: "infoplane-bench", totalEpochs: epochs),
                                           model: model, samples: samples, optimizer: Adam(learningRate: 4e-4),
                                           options: RecorderOptions(schedule: .everyEpoch, storage: storage, writeQueueDepth: variants[v].depth))
            times[v].append(try seconds {
                try trainer.train(examples, trainRows: split.train, testRows: split.test, schedule: schedule, observers: [recorder])
                try recorder.finish(completedEpochs: epochs)
            } / Double(epochs) * 1000)
            fileBytes[v] = try RunFile.open(path).sizeOnDisk()
            try? FileManager.default.removeItem(atPath: path)
        }
    }
    let unrecorded = median(times[0])
    for (v, variant) in variants.enumerated() {
        var line = String(format: "%@: %.3f ms per epoch (%@)", variant.name, median(times[v]), spread(times[v]))
        if v > 0 {
            line += String(format: ", %.2f× the unrecorded epoch; file %.1f MiB for %d epochs", median(times[v]) / unrecorded,
                           Double(fileBytes[v] ?? 0) / 1_048_576, epochs)
        }
        print(line)
    }
    print("   target: a recorded epoch ≤ 1.1× an unrecorded one; float16 no slower than float32")
    let reference = pytorchReference("ibnet-h5py")
    let ratio32 = median(times[1]) / unrecorded, ratio16 = median(times[2]) / unrecorded
    return [Row(workload: "IBnet epoch recorded, float32", ours: median(times[1]), spread: spread(times[1]), unit: "ms",
                reference: reference?["epoch_ms"], label: "PyTorch + h5py",
                target: String(format: "≤ 1.1× unrecorded (%.2f×)", ratio32), met: ratio32 <= 1.1),
            Row(workload: "IBnet epoch recorded, float16", ours: median(times[2]), spread: spread(times[2]), unit: "ms",
                reference: nil, label: "", target: String(format: "≤ float32 (%.2f× unrecorded)", ratio16),
                met: median(times[2]) <= median(times[1]))]
}

func informationBenchmark() throws {
    print("== Estimators per logged epoch: the 6 layers of a trained IBnet on all 4096 inputs")
    let data = try DatasetLoaders.mat("data/var_u.mat")
    let examples = Examples(inputs: data.inputs, labels: data.labels)
    let split = Split.shuffled(count: 4096, trainFraction: 0.8, seed: 0)
    var trainer = Trainer(model: try Sequential.mlp(inputSize: 12, widths: [10, 7, 5, 4, 3], classes: 2, activation: .tanh,
                                                    initializer: .truncatedNormalFanIn, rng: SeededRNG(seed: 0)),
                          optimizer: Adam(learningRate: 4e-4))
    try trainer.train(examples, trainRows: split.train, testRows: split.test, schedule: TrainingSchedule(epochs: 300, batchSize: 256, seed: 0))
    let layers = trainer.model.forward(examples.inputs).map(\.output)
    let reference = pytorchReference("information")
    var samples: [Double] = []
    for _ in 0..<50 {
        samples.append(seconds { for t in layers { _ = BinnedEstimator(.intervals(30)).estimate(t, labels: data.labels) } } * 1000)
    }
    report("binning, 30 intervals, 6 layers", ours: median(samples), reference: reference?["binning_ms"], label: "numpy")
    print("   target: ≤ 0.5 ms")
    samples = []
    for _ in 0..<7 {
        samples.append(seconds { for t in layers { _ = KDEEstimator(noiseVariance: 0.1).estimate(t, labels: data.labels) } } * 1000)
    }
    report("KDE upper and lower bounds, I(X;T) and I(T;Y), 6 layers", ours: median(samples), reference: reference?["kde_ms"])
    print("   target: ≤ 60 ms (the PyTorch reference computes the upper bound only)")
}

func cnnBenchmark(epochs: Int) throws {
    print("== Fashion-MNIST CNN: conv3×3(8)-pool-conv3×3(16)-pool-dense64-10, ReLU, Adam 1e-3, batch 128")
    // The network of experiments/fashion-cnn.yaml, built as `infoplane run` builds it.
    let config = try ExperimentLoader.load("experiments/fashion-cnn.yaml")[0].config
    let data = try PreparedData.load(config.data, seed: config.seed, file: "experiments/fashion-cnn.yaml")
    let examples = data.examples
    let model = try ModelFactory.build(config.model, sampleShape: data.sampleShape, classes: data.classCount, seed: 0,
                                       file: "experiments/fashion-cnn.yaml")
    var trainer = Trainer(model: model, optimizer: Adam(learningRate: 1e-3))
    final class Metrics: TrainingObserver {
        var last: EpochMetrics?
        var times: [Double] = []
        var start = DispatchTime.now().uptimeNanoseconds
        func didComputeGradients(_ event: MinibatchEvent) throws {
            if event.step == 0 { start = DispatchTime.now().uptimeNanoseconds }
        }
        func didEvaluate(_ event: EvaluationEvent) throws {
            if event.completedEpochs > 0 { times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
            last = event.metrics
        }
    }
    let metrics = Metrics()
    let total = try seconds {
        try trainer.train(examples, trainRows: Array(0..<60000), testRows: Array(60000..<70000),
                          schedule: TrainingSchedule(epochs: epochs, batchSize: 128, seed: 0), observers: [metrics])
    }
    let evalOnly = Trainer.metrics
    let evalTime = seconds { _ = evalOnly(trainer.model, examples, Array(0..<60000), Array(60000..<70000)) }
    let epochTime = median(metrics.times)
    let reference = pytorchReference("cnn")
    report("CNN epoch: 60000 training images + metrics pass over 70000", ours: epochTime, reference: reference?["epoch_s"], unit: "s")
    report("   of which training alone (epoch − one metrics pass)", ours: epochTime - evalTime, reference: reference?["train_s"], unit: "s")
    if reference == nil { print("   (PyTorch reference not run: no Python with torch found)") }
    print(String(format: "   metrics pass (70000 images): %.2f s; %d epochs in %.1f s", evalTime, epochs, total))
    print("   target: no slower than PyTorch")
    if let last = metrics.last {
        print(String(format: "   after %d epochs: train accuracy %.4f, test accuracy %.4f (target ≥ 0.85)",
                     epochs, last.trainAccuracy, last.testAccuracy))
    }
}

func lrpBenchmark() throws {
    print("== LRP on 1000 Fashion-MNIST test images, the CNN of fashion-cnn.yaml, one batch")
    let config = try ExperimentLoader.load("experiments/fashion-cnn.yaml")[0].config
    var dataConfig = config.data
    dataConfig.trainSamples = 1
    dataConfig.testSamples = 1000
    let data = try PreparedData.load(dataConfig, seed: config.seed, file: "experiments/fashion-cnn.yaml")
    let model = try ModelFactory.build(config.model, sampleShape: data.sampleShape, classes: data.classCount, seed: 0,
                                       file: "experiments/fashion-cnn.yaml")
    let rows = Array((data.examples.inputs.rows - 1000)..<data.examples.inputs.rows)
    let inputs = data.examples.inputs.gatherRows(rows)
    let reference = pytorchReference("lrp")
    for (name, composite) in [("epsilon_plus_flat", Composite.epsilonPlusFlat()), ("epsilon_gamma_box", .epsilonGammaBox(low: 0, high: 1))] {
        let lrp = LayerwiseRelevancePropagation(composite: composite)
        var samples: [Double] = []
        for _ in 0..<5 { samples.append(try seconds { _ = try lrp.explain(model, inputs: inputs, target: .predicted) } * 1000) }
        report("LRP \(name), 1000 images", ours: median(samples), reference: reference?["\(name)_ms"], label: "zennit")
    }
    var samples: [Double] = []
    for _ in 0..<5 { samples.append(try seconds { _ = try Gradient().attribute(model, inputs: inputs, target: .predicted) } * 1000) }
    report("gradient, 1000 images", ours: median(samples), reference: reference?["gradient_ms"], label: "PyTorch")
    if reference == nil { print("   (zennit reference not run: no Python with torch and zennit found)") }
    print("   target: faster than zennit")
}

func tsneBenchmark() throws {
    print("== t-SNE of the first 1000 Fashion-MNIST test images (784 pixels), openTSNE's defaults")
    let test = try DatasetLoaders.mnistFolder("/usr/share/datasets/fashion-mnist", split: .test)
    let x = test.inputs.rows(0..<1000)
    let data = Tensor(shape: [1000, x.rowSize], scalars: x.scalars)
    for (name, limit) in [("exact gradient", 2500), ("Barnes–Hut, θ = 0.5", 0)] {
        var embedding: TSNE.Embedding?
        let time = try seconds { embedding = try TSNE(exactLimit: limit).embed(data) }
        let points = embedding?.points ?? []
        print(String(format: "%@: %.2f s, KL %.3f, trustworthiness(10) %.4f, 10-NN preservation %.4f", name, time, embedding?.klDivergence ?? .nan,
                     EmbeddingQuality.trustworthiness(data: data, embedding: points, k: 10),
                     EmbeddingQuality.neighbourPreservation(data: data, embedding: points, k: 10)))
    }
    print("   openTSNE 1.0 (Barnes–Hut) on the same images: trustworthiness 0.9829, preservation 0.5393 (Tests/ExplanationsTests/Fixtures)")
}

/// How the estimators' time grows with the number of samples: one 3-unit tanh layer of
/// n inputs (a trained IBnet's last hidden layer has 3 units), n = 1k, 4k, 16k, 64k; the
/// exponent fitted between neighbouring sizes (log t₂/t₁ / log 4).
func scalingBenchmark() {
    print("== Estimators against the number of samples: one layer of 3 tanh units, 2 classes")
    var rng = SeededRNG(seed: 9)
    var previous: [String: Double] = [:]
    for n in [1024, 4096, 16384, 65536] {
        let t = Tensor(shape: [n, 3], scalars: (0..<(n * 3)).map { _ in Kernels.fastTanh(rng.uniform(-3, 3)) })
        let labels = (0..<n).map { Int32($0 % 2) }
        var row: [String] = []
        let repeatsFor: [String: Int] = ["binning": n <= 16384 ? 21 : 7, "KDE": n <= 4096 ? 5 : 1, "k-NN": n <= 4096 ? 3 : 1]
        for (name, body) in [("binning", { _ = BinnedEstimator(.intervals(30)).estimate(t, labels: labels) }),
                             ("KDE", { _ = KDEEstimator(noiseVariance: 0.1).estimate(t, labels: labels) }),
                             ("k-NN", { _ = KNNEntropyEstimator(k: 3).estimate(t, labels: labels) })] as [(String, () -> Void)] {
            let ms = median((0..<(repeatsFor[name] ?? 1)).map { _ in seconds(body) * 1000 })
            let exponent = previous[name].map { String(format: " (n^%.2f)", log(ms / $0) / log(4)) } ?? ""
            row.append(String(format: "%@ %.3g ms%@", name, ms, exponent))
            previous[name] = ms
        }
        print(String(format: "   n = %6d: ", n) + row.joined(separator: ", "))
    }
}

let arguments = CommandLine.arguments.dropFirst()
do {
    if arguments.isEmpty || arguments.contains("ibnet") { try ibnetBenchmark() }
    if arguments.isEmpty || arguments.contains("record") { _ = try recordingBenchmark() }
    if arguments.isEmpty || arguments.contains("information") { try informationBenchmark() }
    if arguments.contains("scaling") { scalingBenchmark() }
    if arguments.contains("binning-profile") {
        var bits: [Float] = []
        var rng = SeededRNG(seed: 1)
        for _ in 0..<(4096 * 10) { bits.append(Kernels.fastTanh(rng.uniform(-3, 3))) }
        let t = Tensor(shape: [4096, 10], scalars: bits)
        let labels = (0..<4096).map { Int32($0 % 2) }
        for _ in 0..<20000 { _ = BinnedEstimator(.intervals(30)).estimate(t, labels: labels) }
    }
    if arguments.isEmpty || arguments.contains("cnn") { try cnnBenchmark(epochs: 3) }
    if arguments.isEmpty || arguments.contains("lrp") { try lrpBenchmark() }
    if arguments.isEmpty || arguments.contains("tsne") { try tsneBenchmark() }
} catch {
    print("benchmark failed: \(error)")
    exit(1)
}
