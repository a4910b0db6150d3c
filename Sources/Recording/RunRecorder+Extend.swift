import Foundation
import HDF5
import Networks

extension RunRecorder {
    /// What extending a run changed, and how its logged epochs compare with a run trained
    /// for the new count from the start.
    public struct Extension: Sendable, Equatable {
        public var fromEpochs: Int
        public var toEpochs: Int
        /// Logged epochs the extended file has that a fresh run of `toEpochs` would not
        /// (the old schedule's, e.g. its last epoch).
        public var extraLogged: [Int]
        /// Logged epochs a fresh run would have that the extended file cannot (states
        /// before the old end that the old schedule did not record).
        public var missingLogged: [Int]

        /// Whether the file's layout equals a fresh run's (and so, after training, its data).
        public var matchesFreshRun: Bool { extraLogged.isEmpty && missingLogged.isEmpty }
    }

    /// Rewrites the run file at `path` for `metadata.totalEpochs` epochs, more than it was
    /// made for, keeping everything it holds; training then resumes from its last
    /// checkpoint (``resume(path:model:optimizer:)``).
    ///
    /// The file's datasets are preallocated at their final size (crash safety, see the
    /// type's documentation), so it cannot grow in place: the new layout is made under a
    /// temporary name as for a new run of the new count, the old rows are copied into it
    /// byte for byte, and it is renamed over the old file. A crash leaves the old file.
    ///
    /// Logged epochs: the old ones, then those of `schedule` for the new count from the old
    /// end on. Training on from the checkpoint is bit-identical to an uninterrupted run, so
    /// the result equals a run of the new count from the start whenever the schedule's
    /// epochs below the old end do not depend on the run's length (every epoch, `every: n`
    /// when n divides the old count minus one, explicit lists, ibsgd); otherwise
    /// ``Extension`` names the difference (`log_spaced` moves every point).
    /// - Parameters:
    ///   - metadata: the new configuration (its `training.epochs` the new count) and count.
    ///   - model, samples, optimizer: as for a new run (architecture, recorded samples and
    ///     optimizer state size must match the file's).
    public static func extend(path: String, metadata: RunMetadata, model: Sequential, samples: RecordedSamples,
                              optimizer: any Optimizer, schedule: LoggingSchedule) throws -> Extension {
        var result: Extension?
        try OutputFile.replaceAtomically(path, suffix: ".extending") { temporary in
            let old = try RunFile.open(path)
            let oldTotal = old.totalEpochs, newTotal = metadata.totalEpochs
            guard newTotal > oldTotal else {
                throw RunFileError(file: path, "has \(oldTotal) epochs; extending it to \(newTotal) would not add any")
            }
            if old.status == .diverged {
                throw RunFileError(file: path, "diverged at epoch \(old.divergedEpoch ?? 0); a diverged run is not extended")
            }
            let source = try H5File.open(path)
            let storedRows = try source.dataset("dataset/index").read(as: Int64.self).map { Int($0) }
            guard storedRows == samples.rows else {
                throw RunFileError(file: path, "records other samples than its configuration selects now; it cannot be extended")
            }
            let oldScheduled = try source.arrayAttribute("scheduled_epochs", as: Int64.self).map { Int($0) }
            let fresh = schedule.epochs(total: newTotal), freshSet = Set(fresh)
            let scheduledSet = Set(oldScheduled).union(fresh.filter { $0 >= oldTotal })
            let scheduled = scheduledSet.sorted()
            result = Extension(fromEpochs: oldTotal, toEpochs: newTotal,
                               extraLogged: scheduled.filter { !freshSet.contains($0) },
                               missingLogged: fresh.filter { !scheduledSet.contains($0) })
            let firstLayer = try source.group(RunFileFormat.layerGroup(0, model.layers[0].name))
            let recordWeights = model.layers.first.map { !$0.parameters.isEmpty && firstLayer.isDataset($0.parameterNames[0]) } ?? false
            let options = RecorderOptions(schedule: .explicit(scheduled), timing: old.timing, storage: old.storage,
                                          recordWeights: recordWeights,
                                          checkpointInterval: Int(try source.attribute("checkpoint_interval", as: Int64.self)))
            let target = try H5File.create(temporary, overwrite: true)
            try RunLayout.create(in: target, metadata: metadata, model: model, samples: samples, optimizer: optimizer, options: options)
            try copyContents(from: source, to: target, path: path)
            if source.hasAttribute("created") { try target.setAttribute("created", try source.stringAttribute("created")) }
            try target.setAttribute("extended_from_epochs", Int64(oldTotal))
            try target.setAttribute("extended", ISO8601DateFormatter().string(from: Date()))
            try target.flush()
            // Every handle is local to this closure: all are closed before the rename.
        }
        guard let result else { throw RunFileError(file: path, "was not extended") }
        return result
    }

    /// Copies every dataset of `source` that `target` also has: whole when the shapes are
    /// equal, into the leading rows when the target's first axis is longer (the per-epoch
    /// and per-logged-epoch arrays, whose old rows keep their positions).
    private static func copyContents(from source: some H5Container, to target: some H5Container, path: String) throws {
        for name in try source.childNames() {
            if source.isGroup(name) {
                guard target.isGroup(name) else {
                    throw RunFileError(file: path, "has a group \(name) that a run of this configuration does not; it cannot be extended")
                }
                try copyContents(from: try source.group(name), to: try target.group(name), path: path)
            } else if source.isDataset(name) {
                guard target.isDataset(name) else {
                    throw RunFileError(file: path, "has a dataset \(name) that a run of this configuration does not; it cannot be extended")
                }
                let from = try source.dataset(name), to = try target.dataset(name)
                let rows = try from.shape().first ?? 0
                if rows > 0 { try to.copyRows(from: from, rows: rows) }
            }
        }
    }
}
