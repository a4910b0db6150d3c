import Attribution
import Datasets
import Embedding
import Experiments
import Foundation
import Information
import Networks
import Recording
import Tensor

/// The Fashion-MNIST CNN: `epochs` epochs of ours, then PyTorch's (one round each: the
/// pair takes about a minute).
func cnnBenchmark(epochs: Int) throws -> [Row] {
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
    report("   the metrics pass (forward over 70000 images)", ours: evalTime, reference: reference?["metrics_s"], unit: "s")
    if reference == nil { print("   (PyTorch reference not run: no Python with torch found)") }
    print(String(format: "   %d epochs in %.1f s", epochs, total))
    print("   target: training ≥ 1.5× PyTorch; the metrics pass no slower than PyTorch's inference")
    var accuracy = Double.nan
    if let last = metrics.last {
        accuracy = last.testAccuracy
        print(String(format: "   after %d epochs: train accuracy %.4f, test accuracy %.4f (target ≥ 0.85)",
                     epochs, last.trainAccuracy, last.testAccuracy))
    }
    var rows = [Row(workload: "CNN training per epoch (60000 images)", ours: epochTime - evalTime, spread: "1 round", unit: "s",
                    reference: reference?["train_s"], label: "PyTorch", target: "≥ 1.5× PyTorch", met: nil),
                Row(workload: "CNN metrics pass (70000 images)", ours: evalTime, spread: "1 round", unit: "s",
                    reference: reference?["metrics_s"], label: "PyTorch inference", target: "≥ 1× PyTorch inference", met: nil),
                Row(workload: "CNN test accuracy after \(epochs) epochs", ours: accuracy, spread: "", unit: "",
                    reference: nil, label: "", target: "≥ 0.85", met: accuracy >= 0.85)]
    rows[0].met = rows[0].ratio.map { $0 >= 1.5 }
    rows[1].met = rows[1].ratio.map { $0 >= 1 }
    return rows
}

/// LRP and the input gradient of 1000 images, in alternating rounds with zennit and
/// PyTorch autograd.
func lrpBenchmark() throws -> [Row] {
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
    let methods: [(name: String, label: String, target: Double, run: () throws -> Void)] = [
        ("epsilon_plus_flat", "zennit", 3, {
            _ = try LayerwiseRelevancePropagation(composite: .epsilonPlusFlat()).explain(model, inputs: inputs, target: .predicted)
        }),
        ("epsilon_gamma_box", "zennit", 3, {
            _ = try LayerwiseRelevancePropagation(composite: .epsilonGammaBox(low: 0, high: 1)).explain(model, inputs: inputs, target: .predicted)
        }),
        ("gradient", "PyTorch autograd", 2, { _ = try Gradient().attribute(model, inputs: inputs, target: .predicted) }),
    ]
    let (ours, reference) = try alternating(rounds: 3, reference: "lrp") {
        try methods.map { method in median(try (0..<5).map { _ in try seconds(method.run) * 1000 }) }
    }
    var result: [Row] = []
    for (index, method) in methods.enumerated() {
        let mine = ours.map { $0[index] }, theirs = values(reference, "\(method.name)_ms")
        let title = method.name == "gradient" ? "input gradient, 1000 images" : "LRP \(method.name), 1000 images"
        report(title, ours: median(mine), reference: theirs.isEmpty ? nil : median(theirs), label: method.label)
        var row = Row(workload: title, ours: median(mine), spread: spread(mine), unit: "ms",
                      reference: theirs.isEmpty ? nil : median(theirs), label: method.label,
                      target: String(format: "≥ %.0f× %@", method.target, method.label), met: nil)
        row.met = row.ratio.map { $0 >= method.target }
        result.append(row)
    }
    if reference.isEmpty { print("   (zennit reference not run: no Python with torch and zennit found)") }
    print("   target: LRP ≥ 3× zennit, the gradient ≥ 2× PyTorch autograd")
    return result
}

/// The network of experiments/saxe2018-mnist.yaml (784-1024-20-20-20-10 tanh, SGD 1e-3,
/// batch 128) on Fashion-MNIST, built as `infoplane run` builds it (in the default
/// arithmetic: the 784- and 1024-unit products stay on `sgemm`, the 20-unit layers run
/// on the fused kernels): `epochs` epochs, each with its metrics pass over all 70000
/// images, against PyTorch's (one round each).
func mnistMLPBenchmark(epochs: Int) throws -> [Row] {
    print("== saxe2018-mnist: 784-1024-20-20-20-10 tanh on Fashion-MNIST, SGD 1e-3, batch 128")
    let file = "experiments/saxe2018-mnist.yaml"
    let config = try ExperimentLoader.load(file)[0].config
    let data = try PreparedData.load(config.data, seed: config.seed, file: file)
    let model = try ModelFactory.build(config.model, sampleShape: data.sampleShape, classes: data.classCount, seed: 0, file: file)
    var trainer = Trainer(model: model, optimizer: SGD(learningRate: 1e-3))
    final class Clock: TrainingObserver {
        var times: [Double] = []
        var start = DispatchTime.now().uptimeNanoseconds
        func didEvaluate(_ event: EvaluationEvent) throws {
            let now = DispatchTime.now().uptimeNanoseconds
            if event.completedEpochs > 0 { times.append(Double(now - start) / 1e9) }
            start = now
        }
    }
    let clock = Clock()
    try trainer.train(data.examples, trainRows: Array(0..<60000), testRows: Array(60000..<70000),
                      schedule: TrainingSchedule(epochs: epochs, batchSize: 128, seed: 0), observers: [clock])
    let ours = clock.times.min() ?? .nan
    let reference = pytorchReference("mnist-mlp")
    report("saxe2018-mnist epoch: 60000 training images + metrics pass over 70000", ours: ours, reference: reference?["epoch_s"], unit: "s")
    if reference == nil { print("   (PyTorch reference not run: no Python with torch found)") }
    print("   target: ≥ 1.5× PyTorch per epoch")
    var row = Row(workload: "saxe2018-mnist epoch (60000 images + metrics)", ours: ours, spread: "best of \(epochs)", unit: "s",
                  reference: reference?["epoch_s"], label: "PyTorch", target: "≥ 1.5× PyTorch", met: nil)
    row.met = row.ratio.map { $0 >= 1.5 }
    return [row]
}
