import CKernels
import Datasets
@testable import Networks
import Tensor
import Testing
import TestSupport

/// Everything an observer is told, as comparable values: the order of the calls, every
/// gradient and metric bit, and every layer output handed over.
final class TranscriptObserver: TrainingObserver {
    let observedRows: [Int]
    let every: Int
    let failsAfter: Int?
    var transcript: [String] = []

    init(rows: [Int], every: Int, failsAfter: Int? = nil) {
        observedRows = rows
        self.every = every
        self.failsAfter = failsAfter
    }

    struct Stop: Error {}

    func wantsLayerOutputs(completedEpochs: Int) -> Bool { completedEpochs % every == 0 }
    func didComputeGradients(_ event: MinibatchEvent) throws {
        let bits = event.gradients.flatMap { $0.flatMap { $0.scalars.map(\.bitPattern) } }
        let weights = event.model.layers.flatMap { $0.parameters.flatMap { $0.scalars.map(\.bitPattern) } }
        transcript.append("step \(event.epoch).\(event.step) n=\(event.batchSize) loss=\(event.loss.bitPattern) g=\(bits.hashValue) w=\(weights.hashValue)")
    }
    func didEvaluate(_ event: EvaluationEvent) throws {
        let m = event.metrics
        let outputs = event.layerOutputs.map { $0.map { "\($0.shape):\($0.scalars.map(\.bitPattern).hashValue)" } }
        transcript.append("eval \(event.completedEpochs) \(m.trainLoss.bitPattern) \(m.testLoss.bitPattern) \(m.trainAccuracy) \(m.testAccuracy) "
                          + "steps=\(event.optimizer.steps) outputs=\(outputs ?? [])")
        if let failsAfter, event.completedEpochs >= failsAfter { throw Stop() }
    }
}

/// Training with the evaluation of each epoch on a second thread (Trainer+Overlap) against
/// the sequential loop: the same observer transcript, bit for bit, the same final state,
/// the same stop on divergence and on an observer's error.
@Suite("Training: overlapped evaluation")
struct OverlapTests {
    static func examples() throws -> Examples {
        let data = try DatasetLoaders.mat(TestSupport.dataFile("var_u.mat"))
        return Examples(inputs: data.inputs, labels: data.labels)
    }

    struct Outcome: Equatable {
        var transcripts: [[String]]
        var parameters: [[UInt32]]
        var completedEpochs: Int
        var error: String?

        /// Where two outcomes part, briefly; nil when equal.
        func difference(_ other: Outcome) -> String? {
            for (o, (a, b)) in zip(transcripts, other.transcripts).enumerated() where a != b {
                let index = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
                return "observer \(o), call \(index): \(index < a.count ? a[index] : "none") vs \(index < b.count ? b[index] : "none")"
            }
            if parameters != other.parameters { return "final parameters differ" }
            if completedEpochs != other.completedEpochs || error != other.error {
                return "\(completedEpochs) epochs, \(error ?? "no error") vs \(other.completedEpochs), \(other.error ?? "no error")"
            }
            return nil
        }
    }

    static func train(workers: Int, arithmetic: Arithmetic, activation: Activation = .tanh, learningRate: Float = 4e-3,
                      epochs: Int = 6, failsAfter: Int? = nil) throws -> Outcome {
        let examples = try examples()
        let split = Split.shuffled(count: 4096, trainFraction: 0.8, seed: 2)
        let model = try Sequential.mlp(inputSize: 12, widths: [10, 7, 5, 4, 3], classes: 2, activation: activation,
                                       initializer: .truncatedNormalFanIn, rng: SeededRNG(seed: 2)).with(arithmetic: arithmetic)
        var trainer = Trainer(model: model, optimizer: Adam(learningRate: learningRate))
        // One observer of every row in order, one of a shuffled subset every second epoch.
        var rng = SeededRNG(seed: 3)
        var subset = Array(0..<4096)
        rng.shuffle(&subset)
        let observers = [TranscriptObserver(rows: Array(0..<4096), every: 1, failsAfter: failsAfter),
                         TranscriptObserver(rows: Array(subset.prefix(300)), every: 2)]
        var error: String?
        do {
            try Parallel.withWorkers(workers) {
                #expect(trainer.overlapsEvaluation(trainRows: split.train, schedule: TrainingSchedule(epochs: epochs, batchSize: 256, seed: 4)) == (workers > 1))
                try trainer.train(examples, trainRows: split.train, testRows: split.test,
                                  schedule: TrainingSchedule(epochs: epochs, batchSize: 256, seed: 4), observers: observers)
            }
        } catch let diverged as TrainingDiverged {
            error = "\(diverged)"
        } catch is TranscriptObserver.Stop {
            error = "stopped"
        }
        return Outcome(transcripts: observers.map(\.transcript),
                       parameters: trainer.model.layers.map { $0.parameters.flatMap { $0.scalars.map(\.bitPattern) } },
                       completedEpochs: trainer.completedEpochs, error: error)
    }

    @Test(arguments: Arithmetic.allCases)
    func overlappedEqualsSequential(_ arithmetic: Arithmetic) throws {
        let sequential = try Self.train(workers: 1, arithmetic: arithmetic)
        let overlapped = try Self.train(workers: 2, arithmetic: arithmetic)
        #expect(sequential.transcripts[0].count == 7 + 6 * 13)
        #expect(sequential.difference(overlapped) == nil)
    }

    /// A learning rate that makes the ReLU network diverge: the same epoch named, the
    /// trainer left at the same state.
    @Test func divergenceStopsAtTheSameState() throws {
        let sequential = try Self.train(workers: 1, arithmetic: .fused, activation: .relu, learningRate: 1e30, epochs: 8)
        let overlapped = try Self.train(workers: 2, arithmetic: .fused, activation: .relu, learningRate: 1e30, epochs: 8)
        #expect(sequential.error?.contains("diverged") == true, "\(sequential.error ?? "no error")")
        #expect(sequential.difference(overlapped) == nil)
    }

    /// An observer that throws after the state of epoch 3: the same calls made, the
    /// trainer left after epoch 3.
    @Test func anObserversErrorStopsAtTheSameState() throws {
        let sequential = try Self.train(workers: 1, arithmetic: .fused, failsAfter: 3)
        let overlapped = try Self.train(workers: 2, arithmetic: .fused, failsAfter: 3)
        #expect(sequential.error == "stopped" && sequential.completedEpochs == 3)
        #expect(sequential.difference(overlapped) == nil)
    }

    /// The whole-step kernel (Trainer+FusedSteps) against the per-layer fused passes:
    /// the same loss and gradients, bit for bit, on both of its paths' widths.
    @Test(arguments: [Activation.tanh, .relu, .linear])
    func theWholeStepEqualsThePerLayerPasses(_ activation: Activation) throws {
        var rng = SeededRNG(seed: 11)
        for (widths, batch) in [([10, 7, 5, 4, 3], 256), ([10, 7, 5, 4, 3], 205), ([64, 33, 9], 1), ([17], 40), ([1, 60], 3)] {
            let model = try Sequential.mlp(inputSize: 12, widths: widths, classes: 3, activation: activation,
                                           initializer: .glorotUniform, rng: rng.fork("model")).with(arithmetic: .fused)
            let examples = Examples(inputs: Tensor(shape: [500, 12], scalars: (0..<6000).map { _ in rng.uniform(-2, 2) }),
                                    labels: (0..<500).map { _ in Int32(rng.int(below: 3)) })
            var order = Array(0..<500)
            rng.shuffle(&order)
            let rows = order.prefix(batch)
            var fused = try #require(FusedSteps(model, examples: examples))
            let whole = fused.gradients(model, examples: examples, rows: rows)
            let perLayer = Trainer.gradients(model, examples: examples, rows: rows)
            #expect(whole.loss.mean.bitPattern == perLayer.loss.mean.bitPattern, "\(widths), batch \(batch)")
            #expect(whole.gradients.map { $0.map { $0.scalars.map(\.bitPattern) } } == perLayer.gradients.map { $0.map { $0.scalars.map(\.bitPattern) } },
                    "\(widths), batch \(batch)")
            #expect(whole.gradients.map { $0.map(\.shape) } == perLayer.gradients.map { $0.map(\.shape) })
        }
        // Not for it: BLAS layers, other activations, labels beyond the classes.
        let blas = try Sequential.mlp(inputSize: 12, widths: [5], classes: 2, activation: .tanh, initializer: .glorotUniform, rng: rng)
        let two = Examples(inputs: Tensor(shape: [2, 12], scalars: [Float](repeating: 0.5, count: 24)), labels: [0, 1])
        #expect(FusedSteps(blas, examples: two) == nil)
        #expect(FusedSteps(blas.with(arithmetic: .fused), examples: two) != nil)
        #expect(FusedSteps(blas.with(arithmetic: .fused), examples: Examples(inputs: two.inputs, labels: [0, 2])) == nil)
        #expect(FusedSteps(blas.with(arithmetic: .fused), examples: Examples(inputs: Tensor(shape: [2, 11], scalars: [Float](repeating: 0, count: 22)), labels: [0, 1])) == nil)
        let sigmoid = try Sequential.mlp(inputSize: 12, widths: [5], classes: 2, activation: .sigmoid, initializer: .glorotUniform, rng: rng)
        #expect(FusedSteps(sigmoid.with(arithmetic: .fused), examples: two) == nil)
    }
}
