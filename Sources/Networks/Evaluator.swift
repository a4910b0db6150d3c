import Tensor

/// The per-epoch full pass: loss and accuracy on train and test rows, and the layer
/// outputs of the rows observers asked for, in one forward pass over chunks of rows.
struct Evaluator: Sendable {
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
        metrics(model, wanting: observers.map { $0.wantsLayerOutputs(completedEpochs: completedEpochs) },
                observedCounts: observers.map(\.observedRows.count))
    }

    /// The pass itself, without the observers: whether each wants the layer outputs, and
    /// how many rows each observes. Pure, so it may run on another thread.
    func metrics(_ model: Sequential, wanting: [Bool], observedCounts: [Int]) -> (metrics: EpochMetrics, outputs: [[Tensor]?]) {
        let whole = chunk >= rows.count
        var direct = [[Tensor]?](repeating: nil, count: wanting.count)
        var outputs: [[[Float]]?] = observedCounts.enumerated().map { index, count in
            wanting[index] && !(whole && observesAllInOrder[index])
                ? model.outputShapes.map { [Float](repeating: 0, count: count * $0.reduce(1, *)) } : nil
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
            for o in wanting.indices where wanting[o] {
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
        let tensors: [[Tensor]?] = wanting.indices.map { o in
            direct[o] ?? outputs[o].map { layers in
                zip(layers, model.outputShapes).map { Tensor(shape: [observedCounts[o]] + $1, scalars: $0) }
            }
        }
        return (metrics, tensors)
    }

    @discardableResult
    func evaluate(_ model: Sequential, optimizer: any Optimizer, completedEpochs: Int, observers: [any TrainingObserver]) throws -> EpochMetrics {
        let (metrics, outputs) = self.metrics(model, observers: observers, completedEpochs: completedEpochs)
        try Self.deliver(metrics, outputs: outputs, model: model, optimizer: optimizer, completedEpochs: completedEpochs, observers: observers)
        return metrics
    }

    /// Hands every observer the evaluation of the state after `completedEpochs` epochs.
    static func deliver(_ metrics: EpochMetrics, outputs: [[Tensor]?], model: Sequential, optimizer: any Optimizer,
                        completedEpochs: Int, observers: [any TrainingObserver]) throws {
        for (index, observer) in observers.enumerated() {
            try observer.didEvaluate(EvaluationEvent(completedEpochs: completedEpochs, model: model, optimizer: optimizer,
                                                     metrics: metrics, layerOutputs: outputs[index]))
        }
    }
}
