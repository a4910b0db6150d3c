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
// Run with `make bench` (release build). Timings are wall-clock medians; ours and the
// reference alternate where a workload allows it, and a summary table with every ratio
// and target ends the output.

let arguments = CommandLine.arguments.dropFirst()
var summary: [Row] = []
do {
    if arguments.isEmpty || arguments.contains("ibnet") { summary += try ibnetBenchmark() }
    if arguments.isEmpty || arguments.contains("record") { summary += try recordingBenchmark() }
    if arguments.isEmpty || arguments.contains("information") { summary += try informationBenchmark() }
    if arguments.isEmpty || arguments.contains("knn") { summary += knnBenchmark() }
    if arguments.contains("scaling") { scalingBenchmark() }
    if arguments.contains("widths") { widthScalingBenchmark() }
    if let profiled = Arithmetic.allCases.first(where: { arguments.contains("ibnet-profile-\($0)") }) {
        // 2000 IBnet epochs in one arithmetic, nothing else: for `perf record`.
        let data = try DatasetLoaders.mat("data/var_u.mat")
        let split = Split.shuffled(count: 4096, trainFraction: 0.8, seed: 0)
        let model = try Sequential.mlp(inputSize: 12, widths: [10, 7, 5, 4, 3], classes: 2, activation: .tanh,
                                       initializer: .truncatedNormalFanIn, rng: SeededRNG(seed: 0)).with(arithmetic: profiled)
        var trainer = Trainer(model: model, optimizer: Adam(learningRate: 4e-4))
        try trainer.train(Examples(inputs: data.inputs, labels: data.labels), trainRows: split.train, testRows: split.test,
                          schedule: TrainingSchedule(epochs: 2000, batchSize: 256, seed: 0), observers: [BenchObserver(rows: Array(0..<4096))])
    }
    if arguments.contains("record-profile") {
        // 1000 IBnet epochs in the default arithmetic (fused) recorded every epoch as float32,
        // writes on the background queue as in a run, nothing else: for `perf record`.
        let data = try DatasetLoaders.mat("data/var_u.mat")
        let examples = Examples(inputs: data.inputs, labels: data.labels)
        let split = Split.shuffled(count: 4096, trainFraction: 0.8, seed: 0)
        let samples = RecordedSamples(rows: Array(0..<4096), examples: examples, trainRows: split.train, testRows: split.test,
                                      datasetName: "var_u", classCount: 2)
        let model = try Sequential.mlp(inputSize: 12, widths: [10, 7, 5, 4, 3], classes: 2, activation: .tanh,
                                       initializer: .truncatedNormalFanIn, rng: SeededRNG(seed: 0)).with(arithmetic: .fused)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-bench-profile.h5").path
        let recorder = try RunRecorder(path: path, overwrite: true,
                                       metadata: RunMetadata(experiment: "bench", config: "", seed: 0, tool: "infoplane-bench", totalEpochs: 1000),
                                       model: model, samples: samples, optimizer: Adam(learningRate: 4e-4),
                                       options: RecorderOptions(schedule: .everyEpoch, storage: .float32, writeQueueDepth: 2, compaction: nil))
        var trainer = Trainer(model: model, optimizer: Adam(learningRate: 4e-4))
        try trainer.train(examples, trainRows: split.train, testRows: split.test,
                          schedule: TrainingSchedule(epochs: 1000, batchSize: 256, seed: 0), observers: [recorder])
        try recorder.finish(completedEpochs: 1000)
        try? FileManager.default.removeItem(atPath: path)
    }
    if arguments.contains("binning-profile") {
        var bits: [Float] = []
        var rng = SeededRNG(seed: 1)
        for _ in 0..<(4096 * 10) { bits.append(Kernels.fastTanh(rng.uniform(-3, 3))) }
        let t = Tensor(shape: [4096, 10], scalars: bits)
        let labels = (0..<4096).map { Int32($0 % 2) }
        for _ in 0..<20000 { _ = BinnedEstimator(.intervals(30)).estimate(t, labels: labels) }
    }
    if arguments.isEmpty || arguments.contains("cnn") { summary += try cnnBenchmark(epochs: 3) }
    if arguments.isEmpty || arguments.contains("mnist") { summary += try mnistMLPBenchmark(epochs: 2) }
    if arguments.isEmpty || arguments.contains("lrp") { summary += try lrpBenchmark() }
    if arguments.isEmpty || arguments.contains("tsne") { try tsneBenchmark() }
    printSummary(summary)
} catch {
    print("benchmark failed: \(error)")
    exit(1)
}
