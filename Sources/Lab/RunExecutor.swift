import Foundation
import Logging
import Networks
import Recording
import Tensor

/// How `infoplane run` treats existing run files and how many runs go at once.
public struct RunOptions: Sendable {
    /// Replace existing run files.
    public var force: Bool
    /// Continue interrupted run files from their checkpoints; skip complete ones.
    public var resume: Bool
    /// Runs in parallel (each single-threaded inside).
    public var jobs: Int
    public var showProgress: Bool
    /// The tool name and version written into run files.
    public var tool: String

    public init(force: Bool = false, resume: Bool = false, jobs: Int = 1, showProgress: Bool = false, tool: String) {
        self.force = force
        self.resume = resume
        self.jobs = max(1, jobs)
        self.showProgress = showProgress
        self.tool = tool
    }
}

/// What happened to one run.
public struct RunOutcome: Sendable {
    public enum Status: String, Sendable { case trained, resumed, skipped, failed }
    public var path: String
    public var status: Status
    public var epochs: Int
    public var seconds: Double
    public var finalMetrics: EpochMetrics?
    public var error: String?
}

/// Trains and records runs: data and models are checked for every variant before any
/// file is written; then runs go in parallel.
public struct RunExecutor: Sendable {
    public var logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// Everything `run` needs that can fail on user input, done before any file is
    /// touched: data loaded and split per variant, models built, existing files checked.
    public struct Prepared: @unchecked Sendable {
        public var jobs: [RunJob]
        var data: [String: PreparedData]
    }

    public func prepare(_ jobs: [RunJob], options: RunOptions) throws(ConfigError) -> Prepared {
        var data: [String: PreparedData] = [:]
        for job in jobs {
            let key = Self.dataKey(job)
            if data[key] == nil {
                data[key] = try PreparedData.load(job.experiment.config.data, seed: job.experiment.config.seed, file: job.experiment.file)
            }
            let prepared = data[key]!
            _ = try ModelFactory.build(job.experiment.config.model, sampleShape: prepared.sampleShape,
                                       classes: prepared.classCount, seed: job.seed, file: job.experiment.file)
            if FileManager.default.fileExists(atPath: job.outputPath) && !options.force && !options.resume {
                throw ConfigError(file: job.outputPath, keyPath: "",
                                  "run file exists; pass --resume to continue it or --force to replace it")
            }
        }
        return Prepared(jobs: jobs, data: data)
    }

    static func dataKey(_ job: RunJob) -> String { "\(job.experiment.variant ?? "")" }

    /// Runs every prepared job, `options.jobs` at a time.
    public func execute(_ prepared: Prepared, options: RunOptions) -> [RunOutcome] {
        let jobs = prepared.jobs
        let progress = ProgressReporter(totalEpochs: jobs.reduce(0) { $0 + $1.experiment.config.training.epochs },
                                        totalRuns: jobs.count, enabled: options.showProgress)
        let workers = min(options.jobs, max(1, jobs.count))
        if workers > 1 { Parallel.setWorkers(1) }
        let outcomes = ConcurrentSlots<RunOutcome>(count: jobs.count)
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let index = next.take(below: jobs.count) {
                let job = jobs[index]
                let outcome = runOne(job, data: prepared.data[Self.dataKey(job)]!, options: options, progress: progress)
                outcomes.set(index, outcome)
                progress.runCompleted()
            }
        }
        progress.finish()
        return outcomes.values
    }

    func runOne(_ job: RunJob, data: PreparedData, options: RunOptions, progress: ProgressReporter) -> RunOutcome {
        let config = job.experiment.config
        let start = Date()
        do {
            try FileManager.default.createDirectory(atPath: (job.outputPath as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            var model = try ModelFactory.build(config.model, sampleShape: data.sampleShape, classes: data.classCount,
                                               seed: job.seed, file: job.experiment.file)
            var optimizer = config.training.optimizer.make()
            let recorder: RunRecorder
            var completed = 0
            var status = RunOutcome.Status.trained
            if options.resume && FileManager.default.fileExists(atPath: job.outputPath) {
                // Read the status, and close the file before resuming opens it for writing.
                let (fileStatus, total) = try { () throws -> (String, Int) in
                    let existing = try RunFile.open(job.outputPath)
                    return (existing.status, existing.totalEpochs)
                }()
                if fileStatus == "complete" {
                    logger.info("\(job.outputPath): complete, skipped")
                    return RunOutcome(path: job.outputPath, status: .skipped, epochs: total,
                                      seconds: 0, finalMetrics: nil, error: nil)
                }
                (recorder, completed) = try RunRecorder.resume(path: job.outputPath, model: &model, optimizer: &optimizer)
                status = .resumed
                logger.info("\(job.outputPath): resuming after epoch \(completed)")
            } else {
                let rows = data.recordedRows(config.recording.samples, seed: job.seed)
                let samples = RecordedSamples(rows: rows, examples: data.examples, trainRows: data.split.train,
                                              testRows: data.split.test, datasetName: data.name, classCount: data.classCount)
                let recording = RecorderOptions(schedule: config.recording.schedule, timing: config.recording.timing,
                                              storage: config.recording.storage,
                                              recordWeights: config.recording.weights,
                                              checkpointInterval: config.recording.checkpointInterval)
                recorder = try RunRecorder(path: job.outputPath, overwrite: true,
                                           metadata: RunMetadata(experiment: config.name, config: job.experiment.effectiveYAML,
                                                                 seed: job.seed, tool: options.tool,
                                                                 totalEpochs: config.training.epochs),
                                           model: model, samples: samples, optimizer: optimizer, options: recording)
                logger.info("\(job.outputPath): training \(config.training.epochs) epochs, seed \(job.seed)")
            }
            var trainer = Trainer(model: model, optimizer: optimizer, completedEpochs: completed)
            let metrics = FinalMetrics()
            let schedule = TrainingSchedule(epochs: config.training.epochs, batchSize: config.training.batchSize,
                                            batching: config.training.batching, seed: job.seed)
            try trainer.train(data.examples, trainRows: data.split.train, testRows: data.split.test, schedule: schedule,
                              observers: [recorder, ProgressObserver(progress), metrics])
            try recorder.finish(completedEpochs: trainer.completedEpochs)
            let seconds = Date().timeIntervalSince(start)
            logger.info("\(job.outputPath): done in \(String(format: "%.1f", seconds)) s")
            return RunOutcome(path: job.outputPath, status: status, epochs: trainer.completedEpochs, seconds: seconds,
                              finalMetrics: metrics.last, error: nil)
        } catch {
            logger.error("\(job.outputPath): \(error)")
            return RunOutcome(path: job.outputPath, status: .failed, epochs: 0, seconds: Date().timeIntervalSince(start),
                              finalMetrics: nil, error: "\(error)")
        }
    }
}

/// Keeps the last metrics a trainer reported.
final class FinalMetrics: TrainingObserver {
    var last: EpochMetrics?
    func didEvaluate(_ event: EvaluationEvent) throws { last = event.metrics }
}

/// A thread-safe counter handing out job indices.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}

