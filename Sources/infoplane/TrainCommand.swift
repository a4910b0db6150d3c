import ArgumentParser
import Experiments
import Foundation
import Recording
import Logging
import Networks
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
          infoplane train experiments/tishby2017.yaml --set repeats=4 --set training.epochs=2000
          infoplane train experiments/tishby2017.yaml --shard 3/10        # one slice of a cluster job array
          infoplane train experiments/quick.yaml --resume                  # continue killed runs
          infoplane train experiments/quick.yaml --extend-to 6000          # train complete runs on to 6000 epochs
        """
    )

    @OptionGroup var options: ExperimentOptions

    func run() throws {
        try TrainCommand.train(options)
    }

    /// Shared with `run`: loads, plans, checks and trains; prints one line per run.
    /// Returns the folders that hold the trained runs.
    @discardableResult
    static func train(_ options: ExperimentOptions) throws -> [String] {
        let logger = options.output.logger()
        let experiments: [Experiment]
        let prepared: RunExecutor.Prepared
        let executor = RunExecutor(logger: logger)
        // The processors this process may use (affinity mask, SLURM_CPUS_PER_TASK), not the machine's.
        let cores = Parallel.availableWorkers
        var runOptions = RunOptions(force: options.force, resume: options.resume || options.extendTo != nil, jobs: options.jobs ?? cores,
                                    showProgress: !options.output.quiet, tool: "infoplane \(Infoplane.version)",
                                    stopOnDivergence: !options.continueOnDivergence,
                                    limits: ResourceLimits(maximumFileBytes: Int(options.maxFileSize * Double(1 << 30))))
        runOptions.extend = options.extendTo != nil
        do {
            experiments = try ExperimentLoader.load(options.config, overrides: options.effectiveOverrides)
            var jobs = RunPlan.jobs(for: experiments, resultsRoot: options.results)
            if let shard = options.shard.flatMap(RunPlan.parseShard) {
                jobs = RunPlan.shard(jobs, index: shard.index, count: shard.count)
            }
            prepared = try executor.prepare(jobs, options: runOptions)
        } catch {
            throw InputError("\(error)")
        }
        if prepared.jobs.isEmpty {
            logger.notice("no runs in this shard")
            return []
        }
        if prepared.complete.count == prepared.jobs.count {
            logger.notice("all \(prepared.jobs.count) run(s) of \(experiments[0].config.name) are complete: nothing to train (--extend-to N trains them on, --force again)")
        } else {
            logger.notice("\(prepared.jobs.count - prepared.complete.count) run(s) of \(experiments[0].config.name) to train, \(min(runOptions.jobs, prepared.jobs.count)) at a time\(prepared.complete.isEmpty ? "" : "; \(prepared.complete.count) complete, skipped")")
        }
        let outcomes = executor.execute(prepared, options: runOptions)
        for outcome in outcomes {
            var line = "\(outcome.status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(outcome.path)"
            if let m = outcome.finalMetrics {
                // A run on all the data has no test split: say so rather than print nan.
                let test = m.testAccuracy.isFinite ? String(format: "test accuracy %.4f", m.testAccuracy) : "no test split"
                line += String(format: "  %d epochs in %.1f s, train accuracy %.4f, ", outcome.epochs, outcome.seconds, m.trainAccuracy) + test
            }
            if let error = outcome.error, outcome.status != .failed && outcome.status != .diverged { line += "  \(error)" }
            if outcome.status == .failed || outcome.status == .diverged {
                writeError("infoplane: \(outcome.path): \(outcome.error ?? outcome.status.rawValue)")
            } else if !options.output.quiet {
                print(line)
            }
        }
        if outcomes.contains(where: { $0.status == .failed || $0.status == .diverged }) {
            throw ExitCode(1)
        }
        return Array(Set(prepared.jobs.map { PathComponent.folder(of: $0.outputPath) })).sorted()
    }
}
