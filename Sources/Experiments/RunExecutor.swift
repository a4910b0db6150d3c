import Configuration
import Console
import Foundation
import Logging
import Networks
import Recording
import Synchronization
import Tensor

/// How `infoplane run` treats existing run files and how many runs go at once.
package struct RunOptions: Sendable {
    /// Replace existing run files.
    package var force: Bool
    /// Continue interrupted run files from their checkpoints; skip complete ones.
    package var resume: Bool
    /// Runs in parallel (each single-threaded inside).
    package var jobs: Int
    package var showProgress: Bool
    /// The tool name and version written into run files.
    package var tool: String
    /// Stop a run after the first epoch with a non-finite loss or weight (the default).
    package var stopOnDivergence: Bool
    /// The largest run file and memory a plan may need.
    package var limits: ResourceLimits
    /// Runs whose files have fewer epochs than the configuration are extended to it
    /// (`--extend-to`), then resumed; implies `resume`.
    package var extend = false

    package init(force: Bool = false, resume: Bool = false, jobs: Int = 1, showProgress: Bool = false, tool: String,
                stopOnDivergence: Bool = true, limits: ResourceLimits = ResourceLimits()) {
        self.stopOnDivergence = stopOnDivergence
        self.limits = limits
        self.force = force
        self.resume = resume
        self.jobs = max(1, jobs)
        self.showProgress = showProgress
        self.tool = tool
    }
}

/// What happened to one run.
package struct RunOutcome: Sendable {
    package enum Status: String, Sendable { case trained, resumed, skipped, diverged, failed, interrupted }
    package var path: String
    package var status: Status
    package var epochs: Int
    package var seconds: Double
    package var finalMetrics: EpochMetrics?
    package var error: String?
}

/// Trains and records runs: data and models are checked for every variant before any
/// file is written; then runs go in parallel.
package struct RunExecutor: Sendable {
    package var logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    /// Everything `run` needs that can fail on user input, done before any file is
    /// touched: data loaded and split per variant, models built, existing files checked.
    package struct Prepared: Sendable {
        package var jobs: [RunJob]
        var data: [String: PreparedData]
        /// The run files' locks, held from the checks until the runs are done.
        var locks: [WriterLock] = []
        /// Run files that exist, complete, with the same configuration: skipped.
        package var complete: Set<String> = []
    }

    package func prepare(_ jobs: [RunJob], options: RunOptions) throws(ConfigError) -> Prepared {
        var data: [String: PreparedData] = [:]
        var locks: [WriterLock] = []
        var complete: Set<String> = []
        var diskNeeded = 0
        let atOnce = max(1, min(options.jobs, jobs.count))
        for job in jobs {
            let key = Self.dataKey(job)
            let config = job.experiment.config
            let file = job.experiment.file
            if data[key] == nil {
                data[key] = try PreparedData.load(config.data, model: config.model, seed: config.seed, file: file)
            }
            guard let prepared = data[key] else { continue }
            let model = try ModelFactory.build(config.model, sampleShape: prepared.sampleShape,
                                               classes: prepared.classCount, seed: job.seed, file: file)
            let exists = FileManager.default.fileExists(atPath: job.outputPath)
            if exists && !options.force && !options.resume {
                // A complete run of this very configuration is done: skipped, never retrained.
                try Self.checkComplete(job)
                complete.insert(job.outputPath)
            }
            if exists && options.resume { try Self.checkResumable(job, extend: options.extend) }
            let rows = try Self.checkedRecordedRows(job, data: prepared)
            let resources = RunResources.estimate(model: model, epochs: config.training.epochs, recording: config.recording,
                                                  recordedRows: rows, trainRows: prepared.split.train.count,
                                                  dataValues: prepared.examples.inputs.scalars.count)
            try Self.check(resources, job: job, limits: options.limits, atOnce: atOnce)
            // An extension writes the whole new file beside the old one before replacing it.
            if !exists || options.force || options.extend { diskNeeded += resources.fileBytes }
            logger.info("\(job.outputPath): plan \(RunResources.format(bytes: resources.fileBytes)) run file, \(RunResources.format(bytes: resources.memoryBytes)) of buffers, \(String(format: "%.2g", resources.flopsPerEpoch)) multiply-adds per epoch")
        }
        let resultsFolder = jobs.first.map { PathComponent.folder(of: $0.outputPath) } ?? "."
        if diskNeeded > 0, RunResources.isReadOnly(near: resultsFolder) {
            throw ConfigError(file: jobs.first?.experiment.file ?? "", keyPath: "",
                              "\(resultsFolder): the file system is read-only (EROFS); choose a results folder you can write (--results)")
        }
        if let free = RunResources.freeBytes(near: resultsFolder),
           diskNeeded > free {
            throw ConfigError(file: jobs.first?.experiment.file ?? "", keyPath: "",
                              "the run files need \(RunResources.format(bytes: diskNeeded)) but the disk has \(RunResources.format(bytes: free)) free")
        }
        // One writer per run file, from here until the runs are done: a second `train` into
        // the same folder stops here (exit 2), and the existence checks hold under the lock.
        for job in jobs {
            do {
                try FileManager.default.createDirectory(atPath: PathComponent.folder(of: job.outputPath),
                                                        withIntermediateDirectories: true)
                locks.append(try WriterLock(for: job.outputPath))
            } catch let held as WriterLock.Held {
                throw ConfigError(file: job.outputPath, keyPath: "", held.description.replacingOccurrences(of: "\(job.outputPath): ", with: ""))
            } catch {
                throw ConfigError(file: job.outputPath, keyPath: "", "cannot lock the run file: \(error)")
            }
            if FileManager.default.fileExists(atPath: job.outputPath) && !options.force && !options.resume && !complete.contains(job.outputPath) {
                throw ConfigError(file: job.outputPath, keyPath: "",
                                  "run file exists (written meanwhile); pass --resume to continue it or --force to replace it")
            }
            if complete.contains(job.outputPath) { finishInterruptedCompaction(job) }
        }
        return Prepared(jobs: jobs, data: data, locks: locks, complete: complete)
    }

    /// `--resume` continues a run only under the configuration it started with: any
    /// difference is an input error naming the keys (more epochs need a new run: the
    /// file's datasets and schedule were sized for the old count).
    static func checkResumable(_ job: RunJob, extend: Bool = false) throws(ConfigError) {
        let stored: String
        let storedEpochs: Int
        do {
            let file = try RunFile.open(job.outputPath)
            stored = file.config
            storedEpochs = file.totalEpochs
        } catch {
            throw ConfigError(file: job.outputPath, keyPath: "", "cannot resume: \(error)")
        }
        let differences = ConfigDifference.runKeys(stored, job.experiment.effectiveYAML)
        guard differences.isEmpty else {
            let epochsOnly = differences == ["training.epochs"]
            let wanted = job.experiment.config.training.epochs
            if epochsOnly && extend && wanted > storedEpochs { return }
            let message: String
            if epochsOnly && extend {
                message = "has \(storedEpochs) epochs; --extend-to \(wanted) would not lengthen it (a run is never shortened)"
            } else if epochsOnly {
                message = wanted > storedEpochs
                    ? "has \(storedEpochs) epochs, the configuration \(wanted); to train it on to \(wanted), pass --extend-to \(wanted)"
                    : "has \(storedEpochs) epochs, the configuration \(wanted); a run is never shortened (its first \(wanted) epochs are in it already)"
            } else {
                message = "differs from the run file's configuration; --resume continues a run only with the configuration it started with"
                    + ConfigDifference.arithmeticAdvice(stored: stored, differences: differences)
            }
            throw ConfigError(file: job.outputPath, keyPath: differences.joined(separator: ", "), message)
        }
    }

    /// The recorded rows of a job, checked against the data: a training set, a subset
    /// no larger than the samples, a schedule within the run.
    package static func checkedRecordedRows(_ job: RunJob, data: PreparedData) throws(ConfigError) -> Int {
        let config = job.experiment.config
        let file = job.experiment.file
        if data.split.train.isEmpty && config.training.epochs > 0 {
            throw ConfigError(file: file, keyPath: "data.train_fraction",
                              "no training samples (\(data.examples.count) samples, train_fraction \(config.data.trainFraction)): nothing to train on")
        }
        if case .subset(let n) = config.recording.samples, n > data.examples.count {
            throw ConfigError(file: file, keyPath: "recording.samples",
                              "subset of \(n) samples, but the data set has \(data.examples.count)")
        }
        if case .explicit(let list) = config.recording.schedule, let late = list.first(where: { $0 >= config.training.epochs }) {
            throw ConfigError(file: file, keyPath: "recording.schedule",
                              "logged epoch \(late) is beyond the run (epochs 0…\(config.training.epochs - 1))")
        }
        let rows = data.recordedRows(config.recording.samples, seed: job.seed)
        if rows.isEmpty {
            throw ConfigError(file: file, keyPath: "recording.samples", "no samples to record (the chosen split is empty)")
        }
        return rows.count
    }

    /// Refuses a plan whose run file or buffers exceed the limits, with the numbers.
    package static func check(_ resources: RunResources, job: RunJob, limits: ResourceLimits, atOnce: Int) throws(ConfigError) {
        let file = job.experiment.file
        if resources.fileBytes > limits.maximumFileBytes {
            throw ConfigError(file: file, keyPath: "model",
                              "each run file would take \(RunResources.format(bytes: resources.fileBytes)) (\(resources.loggedEpochs) logged epochs), more than the limit of \(RunResources.format(bytes: limits.maximumFileBytes)); record fewer epochs or samples, use float16, or raise --max-file-size")
        }
        let memory = limits.maximumMemoryBytes / atOnce
        if resources.memoryBytes > memory {
            throw ConfigError(file: file, keyPath: "model",
                              "a run needs about \(RunResources.format(bytes: resources.memoryBytes)) of memory for its activations, more than the \(RunResources.format(bytes: memory)) available to each of \(atOnce) run(s) at once; record fewer samples or use narrower layers")
        }
    }

    package static func dataKey(_ job: RunJob) -> String { "\(job.experiment.variant ?? "")" }

    /// Runs every prepared job, `options.jobs` at a time; `finished` hears of each run as
    /// it ends (on the worker that ran it), so its line reaches a log at once.
    package func execute(_ prepared: Prepared, options: RunOptions, finished: @Sendable (RunOutcome) -> Void = { _ in }) -> [RunOutcome] {
        let jobs = prepared.jobs
        let progress = ProgressReporter(totalEpochs: jobs.reduce(0) { $0 + (prepared.complete.contains($1.outputPath) ? 0 : $1.experiment.config.training.epochs) },
                                        totalRuns: jobs.count, enabled: options.showProgress)
        let workers = min(options.jobs, max(1, jobs.count))
        let outcomes = ConcurrentSlots<RunOutcome>(count: jobs.count)
        let next = Counter()
        // Runs that go in parallel train on one core each (for these small networks one
        // BLAS thread and one worker are fastest); the limit holds only inside the runs.
        let innerWorkers = workers > 1 ? 1 : Parallel.workers
        Parallel.perform(iterations: workers, workers: workers) { _ in
            Parallel.withWorkers(innerWorkers) {
                while let index = next.take(below: jobs.count) {
                    let job = jobs[index]
                    let outcome: RunOutcome
                    if prepared.complete.contains(job.outputPath) {
                        outcome = RunOutcome(path: job.outputPath, status: .skipped, epochs: job.experiment.config.training.epochs,
                                             seconds: 0, finalMetrics: nil, error: "complete")
                    } else if let data = prepared.data[Self.dataKey(job)] {
                        outcome = runOne(job, data: data, options: options, progress: progress)
                    } else {
                        outcome = RunOutcome(path: job.outputPath, status: .failed, epochs: 0, seconds: 0, finalMetrics: nil,
                                             error: "its data was not prepared")
                    }
                    outcomes.set(index, outcome)
                    progress.finish()
                    finished(outcome)
                    progress.runCompleted()
                }
            }
        }
        progress.finish()
        return outcomes.values
    }

    /// A finished run whose compaction failed is still a finished run: one warning line.
    private func warnIfNotCompacted(_ recorder: RunRecorder, path: String) {
        guard let failure = recorder.compactionFailure else { return }
        logger.warning("\(path): finished, but not compacted (it stays contiguous; `infoplane compact` can try again): \(failure)")
    }

    package func runOne(_ job: RunJob, data: PreparedData, options: RunOptions, progress: ProgressReporter) -> RunOutcome {
        let config = job.experiment.config
        let start = Date()
        // After SIGINT/SIGTERM no run starts: the ones under way finish their epoch.
        if let signal = Interruption.signal {
            return RunOutcome(path: job.outputPath, status: .interrupted, epochs: 0, seconds: 0, finalMetrics: nil,
                              error: "not started (\(Interruption.name(signal)))")
        }
        do {
            try FileManager.default.createDirectory(atPath: PathComponent.folder(of: job.outputPath),
                                                    withIntermediateDirectories: true)
            var model = try ModelFactory.build(config.model, sampleShape: data.sampleShape, classes: data.classCount,
                                               seed: job.seed, file: job.experiment.file)
            var optimizer = config.training.optimizer.make()
            let recorder: RunRecorder
            var completed = 0
            var status = RunOutcome.Status.trained
            var extended = false
            if options.extend, FileManager.default.fileExists(atPath: job.outputPath),
               try RunFile.open(job.outputPath).totalEpochs < config.training.epochs {
                let rows = data.recordedRows(config.recording.samples, seed: job.seed)
                let samples = RecordedSamples(rows: rows, examples: data.examples, trainRows: data.split.train,
                                              testRows: data.split.test, datasetName: data.name, classCount: data.classCount)
                let metadata = RunMetadata(experiment: config.name, config: job.experiment.effectiveYAML, seed: job.seed, tool: options.tool,
                                           totalEpochs: config.training.epochs, sweep: job.experiment.sweepYAML,
                                           source: config.model.source)
                let change = try RunRecorder.extend(path: job.outputPath, metadata: metadata, model: model, samples: samples,
                                                    optimizer: optimizer, schedule: config.recording.schedule)
                extended = true
                var line = "\(job.outputPath): extended from \(change.fromEpochs) to \(change.toEpochs) epochs"
                if !change.matchesFreshRun {
                    func list(_ epochs: [Int]) -> String { epochs.count > 6 ? epochs.prefix(5).map(String.init).joined(separator: ", ") + " … (\(epochs.count))" : epochs.map(String.init).joined(separator: ", ") }
                    line += "; its logged epochs differ from a fresh \(change.toEpochs)-epoch run's (the schedule depends on the run's length)"
                    if !change.extraLogged.isEmpty { line += ": also logs \(list(change.extraLogged))" }
                    if !change.missingLogged.isEmpty { line += "; cannot log \(list(change.missingLogged)) (states before epoch \(change.fromEpochs) not recorded)" }
                }
                logger.notice("\(line)")
            }
            if options.resume && FileManager.default.fileExists(atPath: job.outputPath) {
                // Read the status, and close the file before resuming opens it for writing.
                let (fileStatus, total, diverged) = try { () throws -> (RunStatus, Int, Int?) in
                    let existing = try RunFile.open(job.outputPath)
                    return (existing.status, existing.totalEpochs, existing.divergedEpoch)
                }()
                if fileStatus == .diverged {
                    let message = "diverged at epoch \(diverged ?? 0) earlier; its checkpoints hold non-finite weights, so start it again with --force"
                    return RunOutcome(path: job.outputPath, status: .diverged, epochs: total, seconds: 0, finalMetrics: nil, error: message)
                }
                if fileStatus == .complete {
                    finishInterruptedCompaction(job)
                    logger.info("\(job.outputPath): complete, skipped")
                    return RunOutcome(path: job.outputPath, status: .skipped, epochs: total,
                                      seconds: 0, finalMetrics: nil, error: nil)
                }
                (recorder, completed) = try RunRecorder.resume(path: job.outputPath, model: &model, optimizer: &optimizer)
                status = .resumed
                logger.info("\(job.outputPath): resuming after epoch \(completed)")
            } else {
                // An imported model starts from its file's weights.
                try ImportedWeights.load(into: &model, config: config.model, file: job.experiment.file)
                let rows = data.recordedRows(config.recording.samples, seed: job.seed)
                let samples = RecordedSamples(rows: rows, examples: data.examples, trainRows: data.split.train,
                                              testRows: data.split.test, datasetName: data.name, classCount: data.classCount)
                let recording = RecorderOptions(schedule: config.recording.schedule, timing: config.recording.timing,
                                              storage: config.recording.storage,
                                              recordWeights: config.recording.weights,
                                              checkpointInterval: config.recording.checkpointInterval,
                                              compaction: config.recording.compact ? RunCompaction.defaultLevel : nil)
                recorder = try RunRecorder(path: job.outputPath, overwrite: true,
                                           metadata: RunMetadata(experiment: config.name, config: job.experiment.effectiveYAML,
                                                                 seed: job.seed, tool: options.tool,
                                                                 totalEpochs: config.training.epochs, sweep: job.experiment.sweepYAML,
                                                                 source: config.model.source),
                                           model: model, samples: samples, optimizer: optimizer, options: recording)
                logger.info("\(job.outputPath): training \(config.training.epochs) epochs, seed \(job.seed)")
            }
            var trainer = Trainer(model: model, optimizer: optimizer, completedEpochs: completed)
            trainer.reevaluatesStart = extended
            let metrics = FinalMetrics()
            let schedule = TrainingSchedule(epochs: config.training.epochs, batchSize: config.training.batchSize,
                                            batching: config.training.batching, seed: job.seed,
                                            stopOnDivergence: options.stopOnDivergence)
            do {
                try trainer.train(data.examples, trainRows: data.split.train, testRows: data.split.test, schedule: schedule,
                                  observers: [recorder, ProgressObserver(progress), metrics, InterruptionObserver()])
            } catch let interrupted as Interrupted {
                // The epoch in progress is committed; the file closes readable and resumable.
                try recorder.finish(completedEpochs: trainer.completedEpochs)
                let done = (try? RunFile.open(job.outputPath).completedEpochs) ?? trainer.completedEpochs
                return RunOutcome(path: job.outputPath, status: .interrupted, epochs: done,
                                  seconds: Date().timeIntervalSince(start), finalMetrics: metrics.last, error: "\(interrupted) after epoch \(done)")
            } catch let diverged as TrainingDiverged {
                // The diverged epoch is recorded (its metrics mark the file diverged); close it readable.
                try recorder.finish(completedEpochs: trainer.completedEpochs)
                warnIfNotCompacted(recorder, path: job.outputPath)
                return RunOutcome(path: job.outputPath, status: .diverged, epochs: trainer.completedEpochs,
                                  seconds: Date().timeIntervalSince(start), finalMetrics: metrics.last, error: "\(diverged)")
            }
            try recorder.finish(completedEpochs: trainer.completedEpochs)
            warnIfNotCompacted(recorder, path: job.outputPath)
            let seconds = Date().timeIntervalSince(start)
            logger.info("\(job.outputPath): done in \(String(format: "%.1f", seconds)) s")
            return RunOutcome(path: job.outputPath, status: status, epochs: trainer.completedEpochs, seconds: seconds,
                              finalMetrics: metrics.last, error: nil)
        } catch {
            return RunOutcome(path: job.outputPath, status: .failed, epochs: 0, seconds: Date().timeIntervalSince(start),
                              finalMetrics: nil, error: "\(error)")
        }
    }
}

/// Keeps the last metrics a trainer reported.
package final class FinalMetrics: TrainingObserver {
    package var last: EpochMetrics?
    package func didEvaluate(_ event: EvaluationEvent) throws { last = event.metrics }
}

/// A thread-safe counter handing out job indices.
package final class Counter: Sendable {
    private let value = Mutex(0)
    package func take(below limit: Int) -> Int? {
        value.withLock { value in
            guard value < limit else { return nil }
            value += 1
            return value - 1
        }
    }
}

