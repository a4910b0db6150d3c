import Tensor

/// How minibatches are drawn.
public enum Batching: String, Sendable, Codable, CaseIterable {
    /// Reshuffled every epoch from a stream derived from (seed, epoch) alone, so a run
    /// resumed at any epoch draws the same batches as an uninterrupted one.
    case shuffled
    /// The training rows in order, cut into contiguous batches, the same every epoch:
    /// only to replay the original 2017 code.
    case fixedContiguous
}

/// How long and in what batches to train.
public struct TrainingSchedule: Sendable {
    public var epochs: Int
    /// Samples per minibatch; `nil` trains full-batch. The last minibatch of an epoch
    /// holds the remainder (3277 samples in batches of 256 make 13 steps).
    public var batchSize: Int?
    public var batching: Batching
    public var seed: UInt64
    /// Stop with ``TrainingDiverged`` after the first epoch that leaves a non-finite loss
    /// or parameter (the default); `false` trains on regardless.
    public var stopOnDivergence: Bool

    public init(epochs: Int, batchSize: Int?, batching: Batching = .shuffled, seed: UInt64, stopOnDivergence: Bool = true) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.batching = batching
        self.seed = seed
        self.stopOnDivergence = stopOnDivergence
    }
}

/// Trains a ``Sequential`` model with softmax cross-entropy, reporting to observers.
///
/// Determinism: minibatch order comes from ``SeededRNG`` forked per epoch, every
/// reduction runs in a fixed order, and BLAS runs one thread by default; the same
/// model, data and schedule give bit-identical weights on the same machine.
public struct Trainer {
    public var model: Sequential
    public var optimizer: any Optimizer
    public let loss = SoftmaxCrossEntropy()
    /// Epochs completed so far (a resumed trainer starts from its checkpoint's value).
    public var completedEpochs: Int
    /// Report the starting state to the observers again before training on (a run
    /// extended to more epochs, whose new schedule may log the state it resumes from).
    /// The state is evaluated exactly as it was, so rewritten values are identical.
    public var reevaluatesStart = false

    public init(model: Sequential, optimizer: any Optimizer, completedEpochs: Int = 0) {
        self.model = model
        self.optimizer = optimizer
        self.completedEpochs = completedEpochs
    }

    /// The rows of each minibatch of `epoch`.
    public static func minibatches(epoch: Int, trainRows: [Int], schedule: TrainingSchedule) -> [ArraySlice<Int>] {
        var order = trainRows
        let size = max(1, schedule.batchSize ?? order.count)
        // A single full batch is the same set in any order: keep it sorted (fixed rounding).
        if schedule.batching == .shuffled && size < order.count {
            var rng = SeededRNG(seed: schedule.seed).fork("minibatches-epoch-\(epoch)")
            rng.shuffle(&order)
        }
        return stride(from: 0, to: order.count, by: size).map { order[$0..<min($0 + size, order.count)] }
    }

    /// Trains until `schedule.epochs` epochs are complete.
    ///
    /// Reports the state after initialisation (when starting from 0) and after every
    /// epoch to every observer, and every minibatch's gradients before its update.
    /// With a second worker (``Parallel/workers``), each epoch's evaluation runs beside the
    /// next epoch's steps (`Trainer+Overlap.swift`): the same numbers, the same calls in
    /// the same order. A model of fused dense layers takes each step in one C call
    /// (`Trainer+FusedSteps.swift`).
    ///
    /// - Throws: ``TrainingDiverged`` after the first epoch whose loss or parameters are
    ///   not finite (the observers have seen that epoch), unless
    ///   `schedule.stopOnDivergence` is false; or what an observer throws.
    public mutating func train(_ examples: Examples, trainRows: [Int], testRows: [Int],
                               schedule: TrainingSchedule, observers: [any TrainingObserver] = []) throws {
        let evaluator = Evaluator(examples: examples, trainRows: trainRows, testRows: testRows,
                                  model: model, observers: observers)
        if completedEpochs == 0 || reevaluatesStart {
            try evaluator.evaluate(model, optimizer: optimizer, completedEpochs: completedEpochs, observers: observers)
        }
        if overlapsEvaluation(trainRows: trainRows, schedule: schedule) {
            try trainOverlapped(evaluator, trainRows: trainRows, testRows: testRows, schedule: schedule, observers: observers)
            return
        }
        var fused = FusedSteps(model, examples: examples)
        while completedEpochs < schedule.epochs {
            let epoch = completedEpochs
            for (step, rows) in Self.minibatches(epoch: epoch, trainRows: trainRows, schedule: schedule).enumerated() {
                let (batchLoss, gradients) = Self.step(&fused, model: model, examples: examples, rows: rows)
                if !observers.isEmpty {
                    let event = MinibatchEvent(epoch: epoch, step: step, batchSize: rows.count, storedLoss: batchLoss,
                                               gradients: gradients, model: model)
                    for observer in observers { try observer.didComputeGradients(event) }
                }
                optimizer.update(&model, gradients: gradients)
            }
            completedEpochs += 1
            let metrics = try evaluator.evaluate(model, optimizer: optimizer, completedEpochs: completedEpochs, observers: observers)
            try Self.checkDivergence(model, metrics: metrics, epoch: epoch, trainRows: trainRows, testRows: testRows, schedule: schedule)
        }
    }

    /// One minibatch's loss (before its logarithms, ``LossTerms``) and its gradients
    /// (`[layer][parameter]`) at `model`.
    static func gradients(_ model: Sequential, examples: Examples, rows: ArraySlice<Int>) -> (loss: LossTerms, gradients: [[Tensor]]) {
        let x = examples.inputs.gatherRows(rows)
        let labels = rows.map { examples.labels[$0] }
        let traces = model.forward(x)
        let (terms, logitGradient) = SoftmaxCrossEntropy().gradientAndLossTerms(logits: traces[traces.count - 1].output, labels: labels[...])
        return (terms, model.backward(logitGradient, traces: traces).parameters)
    }

    /// Throws ``TrainingDiverged`` when the schedule stops on divergence and the state
    /// after epoch `epoch` (0-based) has a non-finite loss or parameter.
    static func checkDivergence(_ model: Sequential, metrics: EpochMetrics, epoch: Int, trainRows: [Int], testRows: [Int],
                                schedule: TrainingSchedule) throws(TrainingDiverged) {
        guard schedule.stopOnDivergence else { return }
        let loss = trainRows.isEmpty ? metrics.testLoss : metrics.trainLoss
        let layer = model.firstNonFiniteLayer()
        if !loss.isFinite && !(trainRows.isEmpty && testRows.isEmpty) || layer != nil {
            throw TrainingDiverged(epoch: epoch, loss: loss, layer: layer)
        }
    }

    /// Metrics of `model` on the given rows (a full forward pass in chunks).
    public static func metrics(_ model: Sequential, examples: Examples, trainRows: [Int], testRows: [Int]) -> EpochMetrics {
        Evaluator(examples: examples, trainRows: trainRows, testRows: testRows, model: model, observers: [])
            .metrics(model, observers: []).metrics
    }
}
