import Foundation
#if canImport(Glibc)
import Glibc
#endif
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
    /// The sweep variant as YAML (`key.path: value` lines), empty when not a sweep.
    public var sweep: String
    /// For a model imported from another framework's file: the file, its format (`onnx`,
    /// `keras`) and SHA-256; nil otherwise.
    public var source: ModelSource?

    public init(experiment: String, config: String, seed: UInt64, tool: String, totalEpochs: Int, sweep: String = "",
                source: ModelSource? = nil) {
        self.source = source
        self.experiment = experiment
        self.config = config
        self.sweep = sweep
        self.seed = seed
        self.tool = tool
        self.totalEpochs = totalEpochs
    }
}

/// Where an imported model's initial weights came from (the run file's `model_source*`
/// attributes).
public struct ModelSource: Codable, Sendable, Equatable {
    public var path: String
    public var format: String
    public var sha256: String

    public init(path: String, format: String, sha256: String) {
        self.path = path
        self.format = format
        self.sha256 = sha256
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
    /// Also record every layer's weights and bias at logged epochs.
    public var recordWeights: Bool
    /// Besides every logged epoch, checkpoint (and flush) at least this often, in epochs.
    public var checkpointInterval: Int
    /// Writes queued on a background queue while training goes on (at most this many at
    /// once; see ``BackgroundWriter``), or 0: written before the observer returns. The
    /// file's bytes are the same either way.
    public var writeQueueDepth: Int
    /// The deflate level the finished file is compacted with (``RunCompaction``), or nil
    /// to keep it contiguous.
    public var compaction: Int?

    public init(schedule: LoggingSchedule = .everyEpoch, timing: LogTiming = .before, storage: ActivationStorage = .float32,
                recordWeights: Bool = true, checkpointInterval: Int = 100, writeQueueDepth: Int = 2,
                compaction: Int? = RunCompaction.defaultLevel) {
        self.writeQueueDepth = max(0, writeQueueDepth)
        self.compaction = compaction.map { min(max($0, 1), 9) }
        self.schedule = schedule
        self.timing = timing
        self.storage = storage
        self.recordWeights = recordWeights
        self.checkpointInterval = max(1, checkpointInterval)
    }
}

/// The training observer that writes a run file (layout: `docs/run-file.md`).
///
/// Crash safety: a process killed with SIGKILL loses nothing it had handed to the
/// operating system, but HDF5 rewrites metadata (object headers, chunk indexes, the
/// superblock) in place as datasets grow, and a kill in the middle of such a write
/// leaves a file that does not open (single-writer/multiple-reader mode does not help:
/// its readers retry torn metadata; a killed writer's torn metadata stays torn; measured
/// here, 1 in 30 kills). So the recorder changes no metadata after the layout is made:
/// every dataset is created at its final size with contiguous storage allocated up
/// front, the file is flushed once, and from then on training writes only raw bytes at
/// fixed offsets, unbuffered (no sieve buffer), each data row before the commit record
/// that names it (`/epochs`, `metrics/epoch`, `gradients/epochs`, initialised to −1).
/// The writes run in that order on a background queue (``BackgroundWriter``) while the
/// next epoch trains; ``finish(completedEpochs:)`` waits for them.
/// After a kill the file opens with any HDF5 reader and holds every committed row; a
/// row being written when the process died is not committed. Checkpoints go to the
/// older of two slots, marked with their epoch after their data.
public final class RunRecorder: TrainingObserver {
    public let path: String
    public let observedRows: [Int]
    var file: H5File?
    let options: RecorderOptions
    let totalEpochs: Int
    /// Logged epoch → its row in the preallocated arrays.
    let loggedPositions: [Int: Int]
    var writer: RunWriter?
    let background: BackgroundWriter
    var gradientMoments: [Int: GradientMoments]
    var checkpointSlotEpochs: [Int64]
    /// The epoch whose minibatch gradients `gradientMoments` hold (nil: none since the
    /// last write): a state evaluated again on resuming has no gradients to write.
    var accumulatedEpoch: Int?
    public private(set) var finished = false
    /// The sizes before and after compaction, once a finished run was compacted.
    public private(set) var compacted: RunCompaction.Result?
    /// Why a finished run could not be compacted (it stays contiguous), when it could not.
    public private(set) var compactionFailure: String?

    deinit {
        // A recorder dropped without `finish` (its run failed) still lands its queued rows.
        try? background.drain()
    }

    /// Creates the run file and its whole layout.
    ///
    /// - Parameter overwrite: replace an existing file; otherwise an existing file is an
    ///   error and is left untouched.
    public init(path: String, overwrite: Bool, metadata: RunMetadata, model: Sequential, samples: RecordedSamples,
                optimizer: any Optimizer, options: RecorderOptions) throws {
        self.path = path
        self.options = options
        self.totalEpochs = metadata.totalEpochs
        self.loggedPositions = RunRecorder.positions(options.schedule.epochs(total: metadata.totalEpochs))
        self.observedRows = samples.rows
        // The layout is made under a temporary name and renamed into place once complete
        // (an atomic rename): a run killed at any moment leaves either no run file or one
        // that opens.
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            throw HDF5Error(.fileExists, call: "H5Fcreate", file: path, detail: "file exists (not overwritten)")
        }
        let partial = path + ".partial"
        let file = try H5File.create(partial, overwrite: true, directRawWrites: true)
        self.file = file
        try RunLayout.create(in: file, metadata: metadata, model: model, samples: samples, optimizer: optimizer, options: options)
        guard rename(partial, path) == 0 else {
            throw RunFileError(file: path, "cannot move the new run file into place from \(partial)")
        }
        self.writer = try RunWriter(file: file, model: model)
        self.background = BackgroundWriter(label: "infoplane.recorder", depth: options.writeQueueDepth)
        self.gradientMoments = RunRecorder.moments(for: model)
        self.checkpointSlotEpochs = [-1, -1]
    }

    /// Continues a run file whose layout exists (see ``resume(path:model:optimizer:)``).
    init(resuming file: H5File, path: String, options: RecorderOptions, totalEpochs: Int, model: Sequential,
         rows: [Int], slotEpochs: [Int64]) throws {
        self.path = path
        self.file = file
        self.options = options
        self.totalEpochs = totalEpochs
        self.loggedPositions = RunRecorder.positions(options.schedule.epochs(total: totalEpochs))
        self.observedRows = rows
        self.writer = try RunWriter(file: file, model: model)
        self.background = BackgroundWriter(label: "infoplane.recorder", depth: options.writeQueueDepth)
        self.gradientMoments = RunRecorder.moments(for: model)
        self.checkpointSlotEpochs = slotEpochs
    }

    /// Whether every row goes to the file with one `pwrite` at its offset (``H5RowWriter``),
    /// as it should for a file this recorder made or resumed.
    package var writesRowsDirectly: Bool { writer?.writesDirectly ?? false }

    static func positions(_ epochs: [Int]) -> [Int: Int] {
        Dictionary(uniqueKeysWithValues: epochs.enumerated().map { ($1, $0) })
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
        return loggedPositions[k] != nil
    }

    public func didComputeGradients(_ event: MinibatchEvent) throws {
        guard loggedPositions[event.epoch] != nil else { return }
        accumulatedEpoch = event.epoch
        for (index, gradients) in event.gradients.enumerated() where !gradients.isEmpty {
            gradients[0].scalars.withUnsafeBufferPointer { gradientMoments[index]?.add($0) }
        }
    }

    public func didEvaluate(_ event: EvaluationEvent) throws {
        let completed = event.completedEpochs
        guard let writer else { return }
        // What the writes need is taken here, in the training thread (arrays are copied
        // on write, so the trainer's next step leaves these values alone); the writes
        // themselves go, in this order and as one job, to the background queue.
        var writes: [@Sendable (RunWriter) throws -> Void] = []
        let metrics = event.metrics
        writes.append { try $0.writeMetrics(completed: completed, metrics) }
        var checkpoint = completed % options.checkpointInterval == 0 || completed == totalEpochs
        // Gradient statistics of epoch `completed − 1`, complete now.
        let finishedEpoch = completed - 1
        if finishedEpoch >= 0, accumulatedEpoch == finishedEpoch, let position = loggedPositions[finishedEpoch] {
            let rows = RunWriter.gradientRows(moments: gradientMoments, model: event.model)
            writes.append { try $0.writeGradients(position: position, epoch: finishedEpoch, rows: rows) }
            for key in gradientMoments.keys { gradientMoments[key]?.reset() }
            accumulatedEpoch = nil
        }
        if let outputs = event.layerOutputs, let k = options.timing.loggedEpoch(forCompleted: completed),
           let position = loggedPositions[k] {
            let values = outputs.map(\.scalars)
            let parameters = options.recordWeights ? event.model.layers.map { $0.parameters.map(\.scalars) } : nil
            writes.append { try $0.writeLogged(position: position, epoch: k, outputs: values, parameters: parameters) }
            checkpoint = true
        }
        // A state already checkpointed (the start of an extended run, evaluated again) is
        // not written a second time: the slots keep the history an uninterrupted run has.
        if checkpoint && !checkpointSlotEpochs.contains(Int64(completed)) {
            // The older slot (or an empty one) takes the new checkpoint.
            let slot = checkpointSlotEpochs[0] <= checkpointSlotEpochs[1] ? 0 : 1
            let state = RunWriter.Checkpoint(model: event.model, optimizer: event.optimizer)
            writes.append { try $0.writeCheckpoint(slot: slot, completed: completed, state) }
            checkpointSlotEpochs[slot] = Int64(completed)
        }
        try background.submit { [writes] in
            for write in writes { try write(writer) }
        }
    }

    /// Waits for the queued writes and closes the file; throws the first write's error.
    /// A run that is over (complete, or diverged) is then compacted when the options say
    /// so (``RunCompaction``); a run stopped early stays contiguous, to be resumed. A
    /// compaction that fails (a full disk, say) leaves the complete contiguous file as it
    /// was and says why in ``compactionFailure``: the run is not lost for it.
    public func finish(completedEpochs: Int) throws {
        guard !finished, file != nil else { return }
        finished = true
        try background.drain()
        try file?.flush()
        // The last handles go here: the file is closed before it is compacted.
        writer = nil
        file = nil
        if let level = options.compaction, RunCompaction.isAvailable {
            let status = try RunFile.open(path).status
            if status == .complete || status == .diverged {
                do {
                    compacted = try RunCompaction.compact(path, level: level)
                } catch {
                    compactionFailure = "\(error)"
                }
            }
        }
    }
}
