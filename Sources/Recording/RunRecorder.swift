import Foundation
import HDF5
import Networks
import Tensor

/// What a recorder writes besides the network's own values.
public struct RunMetadata: Sendable {
    public var experiment: String
    /// The effective experiment configuration, as YAML text.
    public var config: String
    public var seed: UInt64
    /// e.g. "infoplane 0.1.0".
    public var tool: String
    /// The number of epochs the run will train.
    public var totalEpochs: Int

    public init(experiment: String, config: String, seed: UInt64, tool: String, totalEpochs: Int) {
        self.experiment = experiment
        self.config = config
        self.seed = seed
        self.tool = tool
        self.totalEpochs = totalEpochs
    }
}

/// The samples whose activations are recorded, with where they come from.
public struct RecordedSamples: Sendable {
    /// Rows of the training ``Examples``.
    public var rows: [Int]
    /// `[sample, ...]`: the inputs of those rows.
    public var inputs: Tensor
    public var labels: [Int32]
    /// Per sample: 0 train, 1 test, 2 neither.
    public var split: [UInt8]
    public var datasetName: String
    public var classCount: Int

    public init(rows: [Int], examples: Examples, trainRows: [Int], testRows: [Int], datasetName: String, classCount: Int) {
        self.rows = rows
        self.inputs = examples.inputs.gatherRows(rows)
        self.labels = rows.map { examples.labels[$0] }
        let train = Set(trainRows), test = Set(testRows)
        self.split = rows.map { train.contains($0) ? 0 : (test.contains($0) ? 1 : 2) }
        self.datasetName = datasetName
        self.classCount = classCount
    }
}

/// How much the recorder writes and how often it makes the file durable.
public struct RecorderOptions: Sendable {
    public var schedule: LoggingSchedule
    public var timing: LogTiming
    public var storage: ActivationStorage
    /// Deflate level for activations (with shuffle), or `nil`.
    public var deflate: Int?
    /// Also record every layer's weights and bias at logged epochs.
    public var recordWeights: Bool
    /// Besides every logged epoch, checkpoint (and flush) at least this often, in epochs.
    public var checkpointInterval: Int

    public init(schedule: LoggingSchedule = .everyEpoch, timing: LogTiming = .before, storage: ActivationStorage = .float32,
                deflate: Int? = nil, recordWeights: Bool = true, checkpointInterval: Int = 100) {
        self.schedule = schedule
        self.timing = timing
        self.storage = storage
        self.deflate = deflate
        self.recordWeights = recordWeights
        self.checkpointInterval = max(1, checkpointInterval)
    }
}

/// The training observer that writes a run file (layout: `docs/run-file.md`).
///
/// Crash safety: the file uses HDF5's single-writer/multiple-reader mode. All objects
/// are created up front; afterwards the recorder only appends rows and overwrites the
/// checkpoint, and every flush leaves a file that SWMR readers (and `RunFile.open`,
/// which falls back to SWMR reading) open, also after a SIGKILL. At each logged epoch it
/// appends the layers' rows first and the `/epochs` row last, so `/epochs` is the
/// commit record; then it writes the checkpoint into the older of two slots, flushes,
/// and only then marks that slot with its epoch. `RunRecorder.resume` truncates every
/// dataset back to the newest complete checkpoint and continues.
public final class RunRecorder: TrainingObserver {
    public let path: String
    public let observedRows: [Int]
    var file: H5File?
    let options: RecorderOptions
    let totalEpochs: Int
    let loggedEpochs: Set<Int>
    let storage: ActivationStorage
    var writer: RunWriter
    var gradientMoments: [Int: GradientMoments]
    var checkpointSlotEpochs: [Int64]
    /// Set when a write failed; the trainer stops at the next event with this error.
    public private(set) var finished = false

    /// Creates the run file and its whole layout.
    ///
    /// - Parameter overwrite: replace an existing file; otherwise an existing file is an
    ///   error and is left untouched.
    public init(path: String, overwrite: Bool, metadata: RunMetadata, model: Sequential, samples: RecordedSamples,
                optimizer: any Optimizer, options: RecorderOptions) throws {
        self.path = path
        self.options = options
        self.totalEpochs = metadata.totalEpochs
        self.loggedEpochs = Set(options.schedule.epochs(total: metadata.totalEpochs))
        self.storage = options.storage
        self.observedRows = samples.rows
        let file = try H5File.create(path, overwrite: overwrite, latestFormat: true)
        self.file = file
        try RunLayout.create(in: file, metadata: metadata, model: model, samples: samples, optimizer: optimizer, options: options)
        self.writer = try RunWriter(file: file, model: model)
        self.gradientMoments = RunRecorder.moments(for: model)
        self.checkpointSlotEpochs = [-1, -1]
        try file.startSWMRWrite()
    }

    /// Continues a run file whose layout exists (see ``resume(path:)``).
    init(resuming file: H5File, path: String, options: RecorderOptions, totalEpochs: Int, model: Sequential,
         rows: [Int], slotEpochs: [Int64]) throws {
        self.path = path
        self.file = file
        self.options = options
        self.totalEpochs = totalEpochs
        self.loggedEpochs = Set(options.schedule.epochs(total: totalEpochs))
        self.storage = options.storage
        self.observedRows = rows
        self.writer = try RunWriter(file: file, model: model)
        self.gradientMoments = RunRecorder.moments(for: model)
        self.checkpointSlotEpochs = slotEpochs
        try file.startSWMRWrite()
    }

    static func moments(for model: Sequential) -> [Int: GradientMoments] {
        var moments: [Int: GradientMoments] = [:]
        for (index, layer) in model.layers.enumerated() where !layer.parameters.isEmpty {
            moments[index] = GradientMoments(size: layer.parameters[0].count)
        }
        return moments
    }

    // MARK: TrainingObserver

    public func wantsLayerOutputs(completedEpochs: Int) -> Bool {
        guard let k = options.timing.loggedEpoch(forCompleted: completedEpochs) else { return false }
        return loggedEpochs.contains(k) && options.timing.completedEpochs(forLogged: k) == completedEpochs
    }

    public func didComputeGradients(_ event: MinibatchEvent) throws {
        guard loggedEpochs.contains(event.epoch) else { return }
        for (index, gradients) in event.gradients.enumerated() where !gradients.isEmpty {
            gradients[0].scalars.withUnsafeBufferPointer { gradientMoments[index]?.add($0) }
        }
    }

    public func didEvaluate(_ event: EvaluationEvent) throws {
        let completed = event.completedEpochs
        try writer.appendMetrics(completed: completed, event.metrics)
        var durable = completed % options.checkpointInterval == 0 || completed == totalEpochs
        // Gradient statistics of epoch `completed − 1`, complete now.
        let finishedEpoch = completed - 1
        if finishedEpoch >= 0, loggedEpochs.contains(finishedEpoch) {
            try writer.appendGradients(epoch: finishedEpoch, moments: gradientMoments, model: event.model)
            for key in gradientMoments.keys { gradientMoments[key]?.reset() }
        }
        if let outputs = event.layerOutputs, let k = options.timing.loggedEpoch(forCompleted: completed), loggedEpochs.contains(k) {
            try writer.appendLogged(epoch: k, outputs: outputs, model: event.model, storage: storage,
                                    recordWeights: options.recordWeights)
            durable = true
        }
        if durable {
            try writeCheckpoint(completed: completed, model: event.model, optimizer: event.optimizer)
        }
    }

    /// Flushes, writes the final checkpoint if needed, and closes the SWMR session so
    /// that any HDF5 reader opens the file. Marks the run complete when all epochs ran.
    public func finish(completedEpochs: Int) throws {
        guard !finished, let open = file else { return }
        finished = true
        try open.flush()
        // Attributes cannot be written in SWMR mode: close every handle, then reopen
        // normally to set the status.
        writer = RunWriter.closed
        file = nil
        try RunLayout.markStatus(path: path, complete: completedEpochs >= totalEpochs)
    }

    // MARK: Checkpoints

    func writeCheckpoint(completed: Int, model: Sequential, optimizer: any Optimizer) throws {
        // The older slot (or an empty one) takes the new checkpoint.
        let slot = checkpointSlotEpochs[0] <= checkpointSlotEpochs[1] ? 0 : 1
        guard let file else { return }
        try writer.writeCheckpoint(slot: slot, model: model, optimizer: optimizer)
        try file.flush()
        checkpointSlotEpochs[slot] = Int64(completed)
        try writer.markCheckpoint(slot: slot, completed: Int64(completed), steps: Int64(optimizer.steps))
        try file.flush()
    }
}
