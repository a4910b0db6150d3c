import ArgumentParser
import Configuration
import Experiments
import Foundation
import Logging
import Networks
import Recording
import Tensor

/// `infoplane train CONFIG`: train and record every run of an experiment.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train every run of an experiment (sweep values × repeats) and record it to run files.",
        discussion: """
        Writes results/<experiment>/[<sweep values>/]run-<seed>.h5. The whole configuration is checked \
        (keys, types, ranges, data files, layer shapes) before anything is written.

        Examples:
          infoplane train experiments/quick.yaml
          infoplane train experiments/tishby2017.yaml --set repeats=4 \\
              --set training.epochs=2000
          # one slice of a cluster job array
          infoplane train experiments/tishby2017.yaml --shard 3/10
          # continue killed runs
          infoplane train experiments/quick.yaml --resume
          # train complete runs on to 6000 epochs
          infoplane train experiments/quick.yaml --extend-to 6000
          # fine-tune a Keras model
          infoplane train examples/byom/var_u_finetune.yaml \\
              --from examples/byom/var_u_keras.h5 --results results/keras
        """
    )

    @OptionGroup var options: ExperimentOptions

    func run() throws {
        var result = TrainResult()
        defer { if options.json && result.started { try? writeJSON(result.json) } }
        try TrainCommand.train(options, into: &result)
    }

    /// Shared with `run`: loads, plans, checks and trains; prints one line per run (not
    /// with --json). `result` receives the runs as they end and the folders holding them.
    static func train(_ options: ExperimentOptions, into result: inout TrainResult) throws {
        let experiments: [Experiment]
        do {
            experiments = try ExperimentLoader.load(options.config, overrides: options.effectiveOverrides, modelFrom: options.from)
        } catch {
            throw InputError(wrapping: error)
        }
        try train(experiments, settings: TrainSettings(options), into: &result)
    }

    /// Plans, checks and trains loaded experiments (shared with `record`).
    static func train(_ experiments: [Experiment], settings: TrainSettings, into result: inout TrainResult) throws {
        let logger = settings.output.logger()
        let prepared: RunExecutor.Prepared
        let executor = RunExecutor(logger: logger)
        // The processors this process may use (affinity mask, SLURM_CPUS_PER_TASK), not the machine's.
        let cores = Parallel.availableWorkers
        var runOptions = RunOptions(force: settings.force, resume: settings.resume || settings.extend, jobs: settings.jobs ?? cores,
                                    showProgress: !settings.output.quiet, tool: "infoplane \(Infoplane.version)",
                                    stopOnDivergence: settings.stopOnDivergence,
                                    limits: ResourceLimits(maximumFileBytes: Int(settings.maxFileSize * Double(1 << 30))))
        runOptions.extend = settings.extend
        do {
            var jobs = RunPlan.jobs(for: experiments, resultsRoot: settings.results)
            if let shard = settings.shard.flatMap(Shard.init) {
                jobs = RunPlan.shard(jobs, index: shard.index, count: shard.count)
            }
            prepared = try executor.prepare(jobs, options: runOptions)
        } catch {
            throw InputError(wrapping: error)
        }
        result.started = true
        if prepared.jobs.isEmpty {
            logger.notice("no runs in this shard")
            return
        }
        if prepared.complete.count == prepared.jobs.count {
            logger.notice("all \(prepared.jobs.count) run(s) of \(experiments[0].config.name) are complete: nothing to train (\(settings.completeHint))")
        } else if experiments.allSatisfy({ $0.config.training.epochs == 0 }) {
            if let source = experiments.first?.config.model.source {
                logger.notice("imported \(source.path) (\(source.format), \(experiments[0].config.model.layers?.count ?? 0) layers + output)")
            }
        } else {
            logger.notice("\(prepared.jobs.count - prepared.complete.count) run(s) of \(experiments[0].config.name) to train, \(min(runOptions.jobs, prepared.jobs.count)) at a time\(prepared.complete.isEmpty ? "" : "; \(prepared.complete.count) complete, skipped")")
        }
        // SIGINT/SIGTERM from here on: every run finishes its epoch, commits it and stops.
        Interruption.install()
        let quiet = settings.output.quiet || settings.json
        let outcomes = executor.execute(prepared, options: runOptions) { outcome in
            // Each run's line as it ends: a log file sees finished runs even if a later one is killed.
            if outcome.status == .failed || outcome.status == .diverged {
                writeError("infoplane: \(outcome.path): \(outcome.error ?? outcome.status.rawValue)")
            } else if !quiet {
                print(Self.line(for: outcome))
            }
        }
        result.outcomes = outcomes
        result.folders = Array(Set(prepared.jobs.map { PathComponent.folder(of: $0.outputPath) })).sorted()
        if let signal = Interruption.signal {
            let interrupted = outcomes.filter { $0.status == .interrupted }
            let notStarted = interrupted.filter { $0.seconds == 0 && $0.finalMetrics == nil }.count
            let stopped = "\(interrupted.count - notStarted) run(s) stopped after their epoch in progress (its row committed)"
                + (notStarted > 0 ? ", \(notStarted) not started" : "")
            writeError("infoplane: \(Interruption.name(signal)): \(stopped)" + (settings.resumeCommand.map { "; continue with: \($0)" } ?? ""))
            throw ExitCode(Interruption.exitCode(signal))
        }
        if outcomes.contains(where: { $0.status == .failed || $0.status == .diverged }) {
            throw ExitCode(1)
        }
    }
}

/// What `train` needs besides the experiments: from ``ExperimentOptions``, or set by `record`.
struct TrainSettings {
    var force = false
    var resume = false
    var extend = false
    var jobs: Int?
    var shard: String?
    var stopOnDivergence = true
    var maxFileSize = 16.0
    var results = "results"
    var output: OutputOptions
    /// --json: no line per run on standard output (the command prints JSON at the end).
    var json = false
    /// What to say when every run is complete already: how this command trains them on
    /// or replaces them (`record` has no `--extend-to`).
    var completeHint = "--extend-to N trains them on, --force again"
    /// The command that continues runs stopped by SIGINT or SIGTERM (nil: none, `record`).
    var resumeCommand: String?

    init(output: OutputOptions) { self.output = output }

    init(_ options: ExperimentOptions) {
        self.init(output: options.output)
        force = options.force
        resume = options.resume
        extend = options.extendTo != nil
        jobs = options.jobs
        shard = options.shard
        stopOnDivergence = !options.continueOnDivergence
        maxFileSize = options.maxFileSize
        results = options.results
        json = options.json
        var words: [String] = ["infoplane", "train", options.config]
        for override in options.overrides { words += ["--set", override] }
        if let extendTo = options.extendTo { words += ["--extend-to", String(extendTo)] } else { words.append("--resume") }
        words += ["--results", options.results]
        if let from = options.from { words += ["--from", from] }
        if let shard = options.shard { words += ["--shard", shard] }
        resumeCommand = words.map(shellQuoted).joined(separator: " ")
    }
}
