import Datasets
import Foundation
@testable import Networks
import Tensor
import Testing
import TestSupport

/// Counts the trainer's events and keeps the last layer outputs it was handed.
final class RecordingObserver: TrainingObserver {
    let observedRows: [Int]
    let every: Int
    var minibatches: [(epoch: Int, step: Int, size: Int)] = []
    var evaluations: [Int] = []
    var metrics: [EpochMetrics] = []
    var lastOutputs: [Tensor]?

    init(rows: [Int], every: Int) {
        observedRows = rows
        self.every = every
    }

    func wantsLayerOutputs(completedEpochs: Int) -> Bool { completedEpochs % every == 0 }
    func didComputeGradients(_ event: MinibatchEvent) throws {
        minibatches.append((event.epoch, event.step, event.batchSize))
    }
    func didEvaluate(_ event: EvaluationEvent) throws {
        evaluations.append(event.completedEpochs)
        metrics.append(event.metrics)
        if let outputs = event.layerOutputs { lastOutputs = outputs }
    }
}

@Suite("Training")
struct TrainingTests {
    static func varU() throws -> Examples {
        let data = try DatasetLoaders.mat(TestSupport.dataFile("var_u.mat"))
        return Examples(inputs: data.inputs, labels: data.labels)
    }

    static func ibnet(seed: UInt64) throws -> Sequential {
        try Sequential.mlp(inputSize: 12, widths: [10, 7, 5, 4, 3], classes: 2, activation: .tanh,
                           initializer: .truncatedNormalFanIn, rng: SeededRNG(seed: seed))
    }

    /// The IBnet setting (Shwartz-Ziv & Tishby 2017; Saxe et al. 2018): 12-10-7-5-4-3-2
    /// tanh, Adam 4e-4, batch 256, 80% of var_u for training.
    @Test func ibnetLearnsVarU() throws {
        let examples = try Self.varU()
        let split = Split.shuffled(count: 4096, trainFraction: 0.8, seed: 1)
        var trainer = Trainer(model: try Self.ibnet(seed: 1), optimizer: Adam(learningRate: 4e-4))
        let observer = RecordingObserver(rows: Array(0..<4096), every: 500)
        try trainer.train(examples, trainRows: split.train, testRows: split.test,
                          schedule: TrainingSchedule(epochs: 2000, batchSize: 256, seed: 1), observers: [observer])
        let final = try #require(observer.metrics.last)
        #expect(final.trainAccuracy >= 0.95, "train accuracy \(final.trainAccuracy)")
        #expect(final.testAccuracy >= 0.85, "test accuracy \(final.testAccuracy)")
        #expect(observer.metrics.first!.trainLoss > final.trainLoss * 2)
        // 3277 training samples in batches of 256: 13 steps, the last of 205.
        #expect(observer.minibatches.count == 2000 * 13)
        #expect(observer.minibatches.prefix(13).map(\.size) == Array(repeating: 256, count: 12) + [205])
        #expect(observer.evaluations == Array(0...2000))
        // Layer outputs of all 4096 inputs after 2000 epochs, one tensor per layer.
        let outputs = try #require(observer.lastOutputs)
        #expect(outputs.map(\.shape) == [[4096, 10], [4096, 7], [4096, 5], [4096, 4], [4096, 3], [4096, 2]])
        // They are the model's own outputs.
        let direct = trainer.model.forward(examples.inputs)
        #expect(outputs[3] == direct[3].output)
    }

    @Test func sameSeedSameBits() throws {
        let examples = try Self.varU()
        let split = Split.shuffled(count: 4096, trainFraction: 0.85, seed: 3)
        func run(_ seed: UInt64) throws -> [Tensor] {
            var trainer = Trainer(model: try Self.ibnet(seed: seed), optimizer: Adam(learningRate: 4e-4))
            try trainer.train(examples, trainRows: split.train, testRows: split.test,
                              schedule: TrainingSchedule(epochs: 30, batchSize: 256, seed: seed))
            return trainer.model.layers.flatMap(\.parameters)
        }
        let a = try run(7), b = try run(7), c = try run(8)
        #expect(a.map(\.scalars).map { $0.map(\.bitPattern) } == b.map(\.scalars).map { $0.map(\.bitPattern) })
        #expect(a != c)
    }

    @Test func resumingEqualsRunningThrough() throws {
        let examples = try Self.varU()
        let split = Split.shuffled(count: 4096, trainFraction: 0.85, seed: 3)
        let schedule = TrainingSchedule(epochs: 20, batchSize: 256, seed: 4)
        var through = Trainer(model: try Self.ibnet(seed: 4), optimizer: Adam(learningRate: 4e-4))
        try through.train(examples, trainRows: split.train, testRows: split.test, schedule: schedule)
        var first = Trainer(model: try Self.ibnet(seed: 4), optimizer: Adam(learningRate: 4e-4))
        var half = schedule
        half.epochs = 9
        try first.train(examples, trainRows: split.train, testRows: split.test, schedule: half)
        // A new trainer from the saved model, optimizer state and epoch count.
        var optimizer = Adam(learningRate: 4e-4)
        optimizer.state = first.optimizer.state
        optimizer.steps = first.optimizer.steps
        var resumed = Trainer(model: first.model, optimizer: optimizer, completedEpochs: first.completedEpochs)
        try resumed.train(examples, trainRows: split.train, testRows: split.test, schedule: schedule)
        #expect(resumed.model.layers.flatMap(\.parameters) == through.model.layers.flatMap(\.parameters))
    }

    @Test func batchingModes() {
        let rows = Array(0..<10)
        let fixed = Trainer.minibatches(epoch: 3, trainRows: rows, schedule: TrainingSchedule(epochs: 1, batchSize: 4, batching: .fixedContiguous, seed: 1))
        #expect(fixed.map(Array.init) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
        let full = Trainer.minibatches(epoch: 0, trainRows: rows, schedule: TrainingSchedule(epochs: 1, batchSize: nil, seed: 1))
        #expect(full.map(Array.init) == [rows])
        let e0 = Trainer.minibatches(epoch: 0, trainRows: rows, schedule: TrainingSchedule(epochs: 1, batchSize: 4, seed: 1))
        let e1 = Trainer.minibatches(epoch: 1, trainRows: rows, schedule: TrainingSchedule(epochs: 1, batchSize: 4, seed: 1))
        #expect(e0.flatMap { $0 }.sorted() == rows)
        #expect(e0.map(Array.init) != e1.map(Array.init))
    }

    /// A small CNN on a slice of Fashion-MNIST learns well above chance.
    @Test func smallCNNLearnsFashionMNIST() throws {
        let train = try DatasetLoaders.mnistFolder("/usr/share/datasets/fashion-mnist", split: .test)
        let slice = train.subset(Array(0..<3000))
        let examples = Examples(inputs: slice.inputs, labels: slice.labels)
        var rng = SeededRNG(seed: 2)
        let model = try Sequential(inputShape: [28, 28, 1], layers: [
            Conv2D(name: "conv1", kernelSize: (5, 5), inputChannels: 1, outputChannels: 8, padding: 2, activation: .relu, rng: &rng),
            MaxPool2D(name: "pool1"),
            Conv2D(name: "conv2", kernelSize: (3, 3), inputChannels: 8, outputChannels: 16, padding: 1, activation: .relu, rng: &rng),
            MaxPool2D(name: "pool2"),
            Flatten(name: "flatten"),
            Dense(name: "hidden", inputSize: 7 * 7 * 16, outputSize: 32, activation: .relu, initializer: .heNormal, rng: &rng),
            Dense(name: "output", inputSize: 32, outputSize: 10, rng: &rng),
        ])
        var trainer = Trainer(model: model, optimizer: Adam(learningRate: 2e-3))
        let observer = RecordingObserver(rows: [], every: 1)
        try trainer.train(examples, trainRows: Array(0..<2500), testRows: Array(2500..<3000),
                          schedule: TrainingSchedule(epochs: 3, batchSize: 64, seed: 2), observers: [observer])
        let final = try #require(observer.metrics.last)
        #expect(final.testAccuracy >= 0.7, "test accuracy \(final.testAccuracy)")
        #expect(observer.metrics.first!.testAccuracy < 0.3)
    }

    @Test func shapeErrorsNameTheLayer() {
        var rng = SeededRNG(seed: 1)
        #expect(throws: NetworkError.self) {
            try Sequential(inputShape: [12], layers: [Dense(name: "a", inputSize: 11, outputSize: 3, rng: &rng)])
        }
        do {
            _ = try Sequential(inputShape: [4, 4, 1], layers: [
                Conv2D(name: "big", kernelSize: (5, 5), inputChannels: 1, outputChannels: 2, rng: &rng),
            ])
            Issue.record("expected an error")
        } catch {
            #expect(error.layer == "big")
        }
        #expect(throws: NetworkError.self) {
            try Sequential.mlp(inputSize: 12, widths: [10, 0], classes: 2, activation: .tanh, initializer: .zeros, rng: rng)
        }
    }
}
