import Analysis
import Attribution
import Datasets
import Embedding
import Experiments
import Foundation
import Information
import Networks
import Recording
import Tensor

/// The IBnet epoch without file writes, in both arithmetics (``Arithmetic``), in
/// alternating rounds with PyTorch's (each round: 3 × 100 epochs of ours per arithmetic,
/// median; then one run of the reference, 7 × 100 epochs, median).
func ibnetBenchmark() throws -> [Row] {
    print("== IBnet epoch: 12-10-7-5-4-3-2 tanh, Adam 4e-4, batch 256, 3277 training samples,")
    print("   per-minibatch gradients to an observer, activations of all 4096 inputs every epoch")
    let data = try DatasetLoaders.mat("data/var_u.mat")
    let examples = Examples(inputs: data.inputs, labels: data.labels)
    let split = Split.shuffled(count: 4096, trainFraction: 0.8, seed: 0)
    let observer = BenchObserver(rows: Array(0..<4096))
    var trainers: [Trainer] = []
    var epochs = 50
    for arithmetic in Arithmetic.allCases {
        let model = try Sequential.mlp(inputSize: 12, widths: [10, 7, 5, 4, 3], classes: 2, activation: .tanh,
                                       initializer: .truncatedNormalFanIn, rng: SeededRNG(seed: 0)).with(arithmetic: arithmetic)
        var trainer = Trainer(model: model, optimizer: Adam(learningRate: 4e-4))
        try trainer.train(examples, trainRows: split.train, testRows: split.test,
                          schedule: TrainingSchedule(epochs: epochs, batchSize: 256, seed: 0), observers: [observer])
        trainers.append(trainer)
    }
    let (ours, reference) = try alternating(rounds: 3, reference: "ibnet") {
        var samples = [[Double]](repeating: [], count: trainers.count)
        for _ in 0..<3 {
            epochs += 100
            for index in trainers.indices {
                let t = try seconds {
                    try trainers[index].train(examples, trainRows: split.train, testRows: split.test,
                                              schedule: TrainingSchedule(epochs: epochs, batchSize: 256, seed: 0), observers: [observer])
                }
                samples[index].append(t / 100 * 1000)
            }
        }
        return samples.map(median)
    }
    let theirs = values(reference, "epoch_ms")
    if theirs.isEmpty { print("   (PyTorch reference not run: no Python with torch found; see benchmarks/README.md)") }
    var rows: [Row] = []
    for (index, arithmetic) in Arithmetic.allCases.enumerated() {
        let mine = ours.map { $0[index] }
        report("IBnet epoch (no file writes), \(arithmetic) arithmetic", ours: median(mine), reference: theirs.isEmpty ? nil : median(theirs))
        // 7.4 MFLOP per epoch: 3277 samples × 263 weights × 6 (forward, two backward products)
        // plus 4096 × 263 × 2 for the activations of every input.
        let flops = (3277.0 * 263 * 6 + 4096.0 * 263 * 2) / (median(mine) / 1000)
        print(String(format: "   %.1f GFLOP/s on the network's multiply-adds", flops / 1e9))
        // The target is the default arithmetic's (`fused`); `blas` is measured beside it.
        let isDefault = arithmetic == .fused
        var row = Row(workload: "IBnet epoch, no writes, \(arithmetic)\(isDefault ? " (default)" : "")", ours: median(mine), spread: spread(mine),
                      unit: "ms", reference: theirs.isEmpty ? nil : median(theirs), label: "PyTorch",
                      target: isDefault ? "≥ 30× PyTorch" : "(measured beside the default)", met: nil)
        if isDefault { row.met = row.ratio.map { $0 >= 30 } }
        rows.append(row)
    }
    return rows
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
    // In the default arithmetic (`fused`), then the same epochs in `blas` (against its own
    // unrecorded epoch, variant 5), whose longer epoch leaves the writes more room.
    let variants: [(name: String, storage: ActivationStorage?, depth: Int, arithmetic: Arithmetic)] = [
        ("unrecorded", nil, 0, .fused), ("float32", .float32, 2, .fused), ("float16", .float16, 2, .fused),
        ("float32, synchronous writes", .float32, 0, .fused), ("float16, synchronous writes", .float16, 0, .fused),
        ("blas: unrecorded", nil, 0, .blas), ("blas: float32", .float32, 2, .blas), ("blas: float16", .float16, 2, .blas)]
    let epochs = 100
    var times = [[Double]](repeating: [], count: variants.count)
    var fileBytes: [Int: Int] = [:]
    var reference: [Double] = []
    var compaction: [Int: (seconds: Double, sizes: RunCompaction.Result?)] = [:]
    var readBack: (contiguous: String, compacted: String)?
    for round in 0..<11 {
        // The PyTorch + h5py reference twice among our rounds (each of its runs takes
        // longer than all our variants of a round).
        if round == 3 || round == 8, let values = pytorchReference("ibnet-h5py"), let value = values["epoch_ms"] {
            reference.append(value)
        }
        for offset in variants.indices {
            let v = (offset + round) % variants.count
            let model = try Sequential.mlp(inputSize: 12, widths: [10, 7, 5, 4, 3], classes: 2, activation: .tanh,
                                           initializer: .truncatedNormalFanIn, rng: SeededRNG(seed: 0))
                .with(arithmetic: variants[v].arithmetic)
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
                                           options: RecorderOptions(schedule: .everyEpoch, storage: storage, writeQueueDepth: variants[v].depth,
                                                                    compaction: nil))
            times[v].append(try seconds {
                try trainer.train(examples, trainRows: split.train, testRows: split.test, schedule: schedule, observers: [recorder])
                try recorder.finish(completedEpochs: epochs)
            } / Double(epochs) * 1000)
            fileBytes[v] = try RunFile.open(path).sizeOnDisk()
            // The compaction a finished run then gets (once per run, not per epoch), of the
            // default arithmetic's two background-written files, the only ones printed; the
            // float16 file kept both ways, to read back below.
            if round == 0 && (v == 1 || v == 2) {
                let contiguous = path + ".contiguous"
                if v == 2 {
                    try? FileManager.default.removeItem(atPath: contiguous)
                    try FileManager.default.copyItem(atPath: path, toPath: contiguous)
                }
                var sizes: RunCompaction.Result?
                let time = try seconds { sizes = try RunCompaction.compact(path) }
                compaction[v] = (time, sizes)
                if v == 2 {
                    let compacted = path + ".compacted"
                    try? FileManager.default.removeItem(atPath: compacted)
                    try FileManager.default.moveItem(atPath: path, toPath: compacted)
                    readBack = (contiguous, compacted)
                }
            }
            try? FileManager.default.removeItem(atPath: path)
        }
    }
    let unrecorded = median(times[0]), blasUnrecorded = median(times[5])
    for (v, variant) in variants.enumerated() {
        var line = String(format: "%@: %.3f ms per epoch (%@)", variant.name, median(times[v]), spread(times[v]))
        if variant.storage != nil {
            line += String(format: ", %.2f× the unrecorded epoch; file %.1f MiB for %d epochs",
                           median(times[v]) / (variant.arithmetic == .blas ? blasUnrecorded : unrecorded),
                           Double(fileBytes[v] ?? 0) / 1_048_576, epochs)
        }
        print(line)
    }
    print("   target: a recorded epoch ≤ 1.15× an unrecorded one in the default arithmetic, float32 and float16")
    for v in [1, 2] {
        guard let (time, sizes) = compaction[v], let sizes else { continue }
        print(String(format: "   compacting the finished %@ file once: %.2f s, %.1f → %.1f MiB (%.2f×)", variants[v].name, time,
                     Double(sizes.before) / 1_048_576, Double(sizes.after) / 1_048_576, Double(sizes.before) / Double(sizes.after)))
    }
    let ratio32 = median(times[1]) / unrecorded, ratio16 = median(times[2]) / unrecorded
    let blas32 = median(times[6]) / blasUnrecorded, blas16 = median(times[7]) / blasUnrecorded
    var rows: [Row] = []
    if let readBack {
        // Reading it back: the binning-only analysis `infoplane analyze` runs, of the
        // contiguous and the compacted float16 file, alternating.
        var reads: [[Double]] = [[], []]
        for _ in 0..<9 {
            for (index, file) in [readBack.contiguous, readBack.compacted].enumerated() {
                reads[index].append(try seconds {
                    _ = try RunAnalysis.analyze(RunFile.open(file), estimators: [.binning(.intervals(30), .fixed(-1, 1))], gradients: false)
                } * 1000)
            }
        }
        for file in [readBack.contiguous, readBack.compacted] { try? FileManager.default.removeItem(atPath: file) }
        let ratio = median(reads[1]) / median(reads[0])
        print(String(format: "   binning analysis of the float16 file (%d logged epochs): contiguous %.1f ms, compacted %.1f ms (%.2f×)",
                     epochs, median(reads[0]), median(reads[1]), ratio))
        rows.append(Row(workload: "binning analysis of a compacted run (float16, \(epochs) epochs)", ours: median(reads[1]),
                        spread: spread(reads[1]), unit: "ms", reference: median(reads[0]), label: "contiguous",
                        target: "no slower than contiguous", met: ratio <= 1))
    }
    return [Row(workload: "IBnet epoch recorded, float32", ours: median(times[1]), spread: spread(times[1]), unit: "ms",
                reference: reference.isEmpty ? nil : median(reference), label: "PyTorch + h5py",
                target: String(format: "≤ 1.15× unrecorded (%.2f×)", ratio32), met: ratio32 <= 1.15),
            Row(workload: "IBnet epoch recorded, float16", ours: median(times[2]), spread: spread(times[2]), unit: "ms",
                reference: nil, label: "", target: String(format: "≤ 1.15× unrecorded (%.2f×)", ratio16), met: ratio16 <= 1.15),
            Row(workload: "IBnet epoch recorded, float32, blas", ours: median(times[6]), spread: spread(times[6]), unit: "ms",
                reference: reference.isEmpty ? nil : median(reference), label: "PyTorch + h5py",
                target: String(format: "≤ 1.15× unrecorded blas (%.2f×)", blas32), met: blas32 <= 1.15),
            Row(workload: "IBnet epoch recorded, float16, blas", ours: median(times[7]), spread: spread(times[7]), unit: "ms",
                reference: nil, label: "", target: String(format: "≤ 1.15× unrecorded blas (%.2f×)", blas16),
                met: blas16 <= 1.15)] + rows
}
