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
        while completedEpochs < schedule.epochs {
            let epoch = completedEpochs
            for (step, rows) in Self.minibatches(epoch: epoch, trainRows: trainRows, schedule: schedule).enumerated() {
                let x = examples.inputs.gatherRows(rows)
                let labels = rows.map { examples.labels[$0] }
                let traces = model.forward(x)
                let (batchLoss, logitGradient) = loss.lossAndGradient(logits: traces[traces.count - 1].output, labels: labels[...])
                let gradients = model.backward(logitGradient, traces: traces).parameters
                if !observers.isEmpty {
                    let event = MinibatchEvent(epoch: epoch, step: step, batchSize: rows.count, loss: batchLoss,
                                               gradients: gradients, model: model)
                    for observer in observers { try observer.didComputeGradients(event) }
                }
                optimizer.update(&model, gradients: gradients)
            }
            completedEpochs += 1
            let metrics = try evaluator.evaluate(model, optimizer: optimizer, completedEpochs: completedEpochs, observers: observers)
            if schedule.stopOnDivergence {
                let loss = trainRows.isEmpty ? metrics.testLoss : metrics.trainLoss
                let layer = model.firstNonFiniteLayer()
                if !loss.isFinite && !(trainRows.isEmpty && testRows.isEmpty) || layer != nil {
                    throw TrainingDiverged(epoch: epoch, loss: loss, layer: layer)
                }
            }
        }
    }

    /// Metrics of `model` on the given rows (a full forward pass in chunks).
    public static func metrics(_ model: Sequential, examples: Examples, trainRows: [Int], testRows: [Int]) -> EpochMetrics {
        Evaluator(examples: examples, trainRows: trainRows, testRows: testRows, model: model, observers: [])
            .metrics(model, observers: []).metrics
    }
}

/// The per-epoch full pass: loss and accuracy on train and test rows, and the layer
/// outputs of the rows observers asked for, in one forward pass over chunks of rows.
struct Evaluator {
    let examples: Examples
    /// The rows evaluated, ascending, each with its role.
    let rows: [Int]
    let isTrain: [Bool]
    let trainCount: Int
    let testCount: Int
    let chunk: Int
    /// Per observer: for each evaluated row position, the position in the observer's
    /// list or -1.
    let observerPositions: [[Int]]
    /// Per observer: whether it observes every evaluated row, in order (its layer outputs
    /// are then the forward pass's own, without a copy, when one chunk holds all rows).
    let observesAllInOrder: [Bool]

    init(examples: Examples, trainRows: [Int], testRows: [Int], model: Sequential, observers: [any TrainingObserver]) {
        self.examples = examples
        var role = [SampleRole](repeating: .unused, count: examples.count)
        for r in trainRows { role[r] = .train }
        for r in testRows { role[r] = .test }
        for observer in observers { for r in observer.observedRows where role[r] == .unused { role[r] = .recordedOnly } }
        let rows = role.indices.filter { role[$0] != .unused }
        self.rows = rows
        self.isTrain = rows.map { role[$0] == .train }
        self.trainCount = trainRows.count
        self.testCount = testRows.count
        // Bound each chunk's activations to about 8M floats.
        let perSample = max(1, model.outputShapes.reduce(model.inputShape.reduce(1, *)) { $0 + $1.reduce(1, *) })
        self.chunk = max(1, min(4096, 8_000_000 / perSample))
        var positionOfRow = [Int](repeating: -1, count: examples.count)
        for (position, row) in rows.enumerated() { positionOfRow[row] = position }
        self.observerPositions = observers.map { observer in
            var map = [Int](repeating: -1, count: rows.count)
            for (index, row) in observer.observedRows.enumerated() { map[positionOfRow[row]] = index }
            return map
        }
        self.observesAllInOrder = observerPositions.map { map in map.indices.allSatisfy { map[$0] == $0 } }
        self.roles = rows.map { role[$0] }
    }

    let roles: [SampleRole]

    /// What a sample is evaluated for.
    enum SampleRole: Sendable {
        /// Neither trained on, tested, nor recorded: skipped.
        case unused
        case train
        case test
        /// Only recorded (its activations are written; it counts in no metric).
        case recordedOnly
    }

    func metrics(_ model: Sequential, observers: [any TrainingObserver], completedEpochs: Int = 0) -> (metrics: EpochMetrics, outputs: [[Tensor]?]) {
        let wanting = observers.map { $0.wantsLayerOutputs(completedEpochs: completedEpochs) }
        let whole = chunk >= rows.count
        var direct = [[Tensor]?](repeating: nil, count: observers.count)
        var outputs: [[[Float]]?] = observers.enumerated().map { index, observer in
            wanting[index] && !(whole && observesAllInOrder[index])
                ? model.outputShapes.map { [Float](repeating: 0, count: observer.observedRows.count * $0.reduce(1, *)) } : nil
        }
        let identity = rows.count == examples.count
        var trainLoss = 0.0, testLoss = 0.0, trainCorrect = 0, testCorrect = 0
        for start in stride(from: 0, to: rows.count, by: chunk) {
            let end = min(start + chunk, rows.count)
            let x = identity && start == 0 && end == rows.count ? examples.inputs : examples.inputs.gatherRows(rows[start..<end])
            let traces = model.forward(x)
            let labels = rows[start..<end].map { examples.labels[$0] }
            let (losses, correct) = SoftmaxCrossEntropy().evaluate(logits: traces[traces.count - 1].output, labels: labels[...])
            for i in 0..<(end - start) {
                switch roles[start + i] {
                case .train:
                    trainLoss += losses[i]
                    trainCorrect += correct[i] ? 1 : 0
                case .test:
                    testLoss += losses[i]
                    testCorrect += correct[i] ? 1 : 0
                default: break
                }
            }
            for o in observers.indices where wanting[o] {
                if outputs[o] == nil {
                    direct[o] = traces.map(\.output)
                    continue
                }
                for (l, trace) in traces.enumerated() {
                    let width = trace.output.rowSize
                    trace.output.scalars.withUnsafeBufferPointer { source in
                        outputs[o]![l].withUnsafeMutableBufferPointer { destination in
                            if observesAllInOrder[o] {
                                (destination.baseAddress! + start * width).update(from: source.baseAddress!, count: (end - start) * width)
                                return
                            }
                            for i in 0..<(end - start) {
                                let target = observerPositions[o][start + i]
                                if target < 0 { continue }
                                (destination.baseAddress! + target * width)
                                    .update(from: source.baseAddress! + i * width, count: width)
                            }
                        }
                    }
                }
            }
        }
        let metrics = EpochMetrics(
            trainLoss: trainCount > 0 ? trainLoss / Double(trainCount) : .nan,
            trainAccuracy: trainCount > 0 ? Double(trainCorrect) / Double(trainCount) : .nan,
            testLoss: testCount > 0 ? testLoss / Double(testCount) : .nan,
            testAccuracy: testCount > 0 ? Double(testCorrect) / Double(testCount) : .nan)
        let tensors: [[Tensor]?] = observers.indices.map { o in
            direct[o] ?? outputs[o].map { layers in
                zip(layers, model.outputShapes).map { Tensor(shape: [observers[o].observedRows.count] + $1, scalars: $0) }
            }
        }
        return (metrics, tensors)
    }

    @discardableResult
    func evaluate(_ model: Sequential, optimizer: any Optimizer, completedEpochs: Int, observers: [any TrainingObserver]) throws -> EpochMetrics {
        let (metrics, outputs) = self.metrics(model, observers: observers, completedEpochs: completedEpochs)
        for (index, observer) in observers.enumerated() {
            try observer.didEvaluate(EvaluationEvent(completedEpochs: completedEpochs, model: model, optimizer: optimizer,
                                                     metrics: metrics, layerOutputs: outputs[index]))
        }
        return metrics
    }
}
