import Tensor

/// Training on two cores: the evaluation of the state after epoch e (the full forward
/// pass over every recorded row, the loss and accuracy) runs on a second thread while
/// epoch e + 1's minibatch steps run on this one, from the same state.
///
/// Both are computations on values (the model and optimizer are copied, not shared), so
/// every number is the one the sequential loop computes. The observers see exactly the
/// sequential loop's calls, in its order: the evaluation of state e, then epoch e + 1's
/// minibatch events, which wait in memory until then. An observer that throws, or a
/// diverged state, leaves the trainer at that state (the steps computed beside its
/// evaluation are dropped), as the sequential loop would have.
extension Trainer {
    /// The most bytes of minibatch events (their gradients and the model each carries)
    /// an epoch may hold back while the evaluation beside it runs.
    static let overlapEventBytes = 32 << 20

    /// Whether to overlap: a second worker, and an epoch's events small enough to hold.
    func overlapsEvaluation(trainRows: [Int], schedule: TrainingSchedule) -> Bool {
        guard Parallel.workers > 1, schedule.epochs > completedEpochs else { return false }
        let steps = (trainRows.count + max(1, schedule.batchSize ?? trainRows.count) - 1) / max(1, schedule.batchSize ?? trainRows.count)
        return steps * model.parameterCount * MemoryLayout<Float>.size * 2 <= Self.overlapEventBytes
    }

    /// One epoch's minibatch steps from a state: the state after them and the events the
    /// observers are owed, in order. Calls no observer. `fused`: the model's fused steps,
    /// checked once per training (nil: the layers' own passes).
    static func steps(epoch: Int, model: Sequential, optimizer: any Optimizer, examples: Examples, trainRows: [Int],
                      schedule: TrainingSchedule, recordsEvents: Bool, fused: FusedSteps?) -> EpochSteps {
        var model = model, optimizer = optimizer
        var events: [MinibatchEvent] = []
        var fused = fused
        for (step, rows) in minibatches(epoch: epoch, trainRows: trainRows, schedule: schedule).enumerated() {
            let (loss, gradients) = Self.step(&fused, model: model, examples: examples, rows: rows)
            if recordsEvents {
                events.append(MinibatchEvent(epoch: epoch, step: step, batchSize: rows.count, storedLoss: loss, gradients: gradients, model: model))
            }
            optimizer.update(&model, gradients: gradients)
        }
        return EpochSteps(model: model, optimizer: optimizer, events: events)
    }

    struct EpochSteps: Sendable {
        var model: Sequential
        var optimizer: any Optimizer
        var events: [MinibatchEvent]
    }

    /// What one of the two threads computed.
    enum Half: Sendable {
        case evaluation(metrics: EpochMetrics, outputs: [[Tensor]?])
        case steps(EpochSteps)
    }

    /// The loop of ``train(_:trainRows:testRows:schedule:observers:)`` with the
    /// evaluations overlapped; entered with the current state already evaluated.
    mutating func trainOverlapped(_ evaluator: Evaluator, trainRows: [Int], testRows: [Int], schedule: TrainingSchedule,
                                  observers: [any TrainingObserver]) throws {
        let examples = evaluator.examples
        let recordsEvents = !observers.isEmpty
        let observedCounts = observers.map(\.observedRows.count)
        let fused = FusedSteps(model, examples: examples)
        var evaluated = true
        while completedEpochs < schedule.epochs {
            let epoch = completedEpochs
            let (state, stateOptimizer) = (model, optimizer)
            let wanting = evaluated ? nil : observers.map { $0.wantsLayerOutputs(completedEpochs: epoch) }
            let halves = ConcurrentSlots<Half>(count: 2)
            Parallel.perform(iterations: wanting == nil ? 1 : 2, workers: 2) { index in
                if index == 0 {
                    halves.set(0, .steps(Self.steps(epoch: epoch, model: state, optimizer: stateOptimizer, examples: examples,
                                                    trainRows: trainRows, schedule: schedule, recordsEvents: recordsEvents,
                                                    fused: fused)))
                } else if let wanting {
                    let (metrics, outputs) = evaluator.metrics(state, wanting: wanting, observedCounts: observedCounts)
                    halves.set(1, .evaluation(metrics: metrics, outputs: outputs))
                }
            }
            var stepped: EpochSteps?
            for half in halves.values {
                switch half {
                case .steps(let result):
                    stepped = result
                case .evaluation(let metrics, let outputs):
                    try Evaluator.deliver(metrics, outputs: outputs, model: state, optimizer: stateOptimizer,
                                          completedEpochs: epoch, observers: observers)
                    try Self.checkDivergence(state, metrics: metrics, epoch: epoch - 1, trainRows: trainRows, testRows: testRows,
                                             schedule: schedule)
                }
            }
            // (Index 0 always runs; computing the steps here is only the fallback's form.)
            let result = stepped ?? Self.steps(epoch: epoch, model: state, optimizer: stateOptimizer, examples: examples,
                                               trainRows: trainRows, schedule: schedule, recordsEvents: recordsEvents, fused: fused)
            for event in result.events {
                for observer in observers { try observer.didComputeGradients(event) }
            }
            model = result.model
            optimizer = result.optimizer
            completedEpochs += 1
            evaluated = false
        }
        // The last state, alone.
        let metrics = try evaluator.evaluate(model, optimizer: optimizer, completedEpochs: completedEpochs, observers: observers)
        try Self.checkDivergence(model, metrics: metrics, epoch: completedEpochs - 1, trainRows: trainRows, testRows: testRows,
                                 schedule: schedule)
    }
}
