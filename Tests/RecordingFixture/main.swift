import Datasets
import Foundation
import Networks
import Recording
import Tensor

// A small recording run for the crash-safety tests (RecordingTests): the IBnet on
// var_u, every epoch logged for a subset of samples. Usage:
//   infoplane-record-fixture DATA RUN EPOCHS [--resume] [--samples N] [--timing before|after]
let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 3, let epochs = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: infoplane-record-fixture DATA RUN EPOCHS [--resume] [--samples N] [--timing before|after]\n".utf8))
    exit(2)
}
func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
let (dataPath, runPath) = (arguments[0], arguments[1])
let resume = arguments.contains("--resume")
let sampleCount = option("--samples").flatMap(Int.init) ?? 256
let timing = LogTiming(rawValue: option("--timing") ?? "before") ?? .before

do {
    let data = try DatasetLoaders.mat(dataPath)
    let examples = Examples(inputs: data.inputs, labels: data.labels)
    let split = Split.shuffled(count: data.count, trainFraction: 0.8, seed: 1)
    var model = try Sequential.mlp(inputSize: 12, widths: [10, 7, 5, 4, 3], classes: 2, activation: .tanh,
                                   initializer: .truncatedNormalFanIn, rng: SeededRNG(seed: 1))
    var optimizer: any Optimizer = Adam(learningRate: 4e-4)
    let recorder: RunRecorder
    var completed = 0
    if resume {
        (recorder, completed) = try RunRecorder.resume(path: runPath, model: &model, optimizer: &optimizer)
    } else {
        let rows = Array(stride(from: 0, to: data.count, by: max(1, data.count / sampleCount)).prefix(sampleCount))
        let samples = RecordedSamples(rows: rows, examples: examples, trainRows: split.train, testRows: split.test,
                                      datasetName: "var_u", classCount: 2)
        recorder = try RunRecorder(path: runPath, overwrite: true,
                                   metadata: RunMetadata(experiment: "fixture", config: "fixture: true\n", seed: 1,
                                                         tool: "infoplane-record-fixture", totalEpochs: epochs),
                                   model: model, samples: samples, optimizer: optimizer,
                                   options: RecorderOptions(schedule: .everyEpoch, timing: timing, checkpointInterval: 10))
    }
    var trainer = Trainer(model: model, optimizer: optimizer, completedEpochs: completed)
    try trainer.train(examples, trainRows: split.train, testRows: split.test,
                      schedule: TrainingSchedule(epochs: epochs, batchSize: 256, seed: 1), observers: [recorder])
    try recorder.finish(completedEpochs: trainer.completedEpochs)
    print("completed \(trainer.completedEpochs) epochs from \(completed)")
} catch {
    FileHandle.standardError.write(Data("infoplane-record-fixture: \(error)\n".utf8))
    exit(1)
}
