import Analysis
import ArgumentParser
import Configuration
import Console
import Experiments
import Foundation
import Information
import Networks
import Tensor

/// `infoplane analyze RUNS…`: information-plane coordinates of run files, into named,
/// cumulative analysis files.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Estimate I(X;T) and I(T;Y) of every layer at every logged epoch of run files.",
        discussion: """
        Writes one analysis.h5 per folder of runs (or the file named by -o): per estimator, \
        [seed, epoch, layer] values in bits, means, standard deviations, bootstrap intervals, \
        peak epochs, compression and DPI checks; the gradient SNR; the runs' paths, seeds and \
        SHA-256 digests (layout: docs/analysis-file.md). The estimators are the runs' \
        analysis.estimators unless given here. An existing analysis of the same runs keeps its \
        estimators and gains the new ones (nothing is recomputed); an analysis of other runs, or \
        of runs changed since, is refused unless --force.

        Examples:
          infoplane analyze results/quick
          infoplane analyze results/quick --estimator binning:bins=10 \\
              --estimator binning:bins=100
          infoplane analyze results/quick \\
              --set 'analysis.estimators=[{kind: kde, noise_variance: 0.01}]'
          infoplane analyze results/quick/run-1.h5 -o run-1-analysis.h5 --csv
        """
    )

    @Argument(help: "Run files, or folders to search for run-*.h5.")
    var paths: [String]

    @Option(name: .customLong("estimator"), help: ArgumentHelp(
        "An estimator to compute, as kind:key=value,… with the keys of analysis.estimators, e.g. binning:bins=10, binning:width=0.5,range=layer, kde:noise_variance=0.1,bound=upper, adaptive:bins=30, knn:k=3, ksg:k=3, renyi:alpha=1.01 (repeatable).",
        valueName: "kind:key=value,…"))
    var estimators: [String] = []

    @Option(name: .customLong("set"), help: ArgumentHelp("Estimators in config syntax: --set 'analysis.estimators=[{kind: binning, bins: 30}]'.",
                                                       valueName: "analysis.estimators=[…]"))
    var overrides: [String] = []

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("The analysis file to write (default: analysis.h5 beside each folder's runs).",
                                                                  valueName: "file"))
    var output: String?

    @Flag(help: "Replace an analysis file that holds other runs, or runs changed since it was written.")
    var force = false

    @Option(help: ArgumentHelp("Analyse only shard i of n (0 ≤ i < n) of each folder's runs (every n-th, sorted) into analysis.shard-i-of-n.h5, e.g. --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT; join them with --merge.", valueName: "i/n"))
    var shard: String?

    @Flag(help: "Join each folder's analysis.shard-*-of-n.h5 files into analysis.h5 (the file one node would write, dataset for dataset).")
    var merge = false

    @Flag(help: "Analyse incomplete runs (interrupted, or still being written) up to their last committed epoch instead of refusing them.")
    var includeIncomplete = false

    @Flag(help: "Allow k-NN estimates of runs stored as float16, whose rounding makes duplicate rows that the estimate measures instead of the layer.")
    var acceptFloat16Knn = false

    @Option(help: "Runs analysed in parallel (default: the processors this process may use: its affinity mask, or SLURM_CPUS_PER_TASK).")
    var jobs: Int?

    @Flag(help: "Also write analysis.csv beside the analysis file (experiment, variant, estimator, seed, run, epoch, layer_index, layer, I(X;T), I(T;Y)).")
    var csv = false

    @Flag(help: "Print the outcome of each analysis file as JSON (an array; snake_case keys) instead of text.")
    var json = false

    @OptionGroup var log: OutputOptions

    func validate() throws {
        if let shard, Shard(shard) == nil { throw ValidationError("--shard expects i/n with 0 ≤ i < n ≤ 10000, got \"\(shard)\"") }
        if shard != nil && merge { throw ValidationError("--shard and --merge exclude each other: analyse the shards, then merge them") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        try Parallel.withWorkers(jobs ?? Parallel.availableWorkers) { try analyseAll() }
    }

    func analyseAll() throws {
        let logger = log.logger()
        if merge { return try mergeAll() }
        let given: [EstimatorSpec]?
        let groups: [String: [String]]
        do {
            given = try AnalysisConfig.estimators(sets: overrides, short: estimators)
            groups = try ExperimentAnalysis.collect(paths)
        } catch {
            throw InputError(wrapping: error)
        }
        guard !groups.isEmpty else { throw InputError("no run files (run-*.h5) under \(paths.joined(separator: ", "))") }
        if let output, groups.count > 1 {
            throw InputError("-o \(output) names one analysis file, but the runs are in \(groups.count) folders (\(groups.keys.sorted().joined(separator: ", "))); analyse one folder at a time")
        }
        var worst = ExitStatus.success
        var outcomes: [ExperimentAnalysis.Outcome] = []
        defer { if json { try? AnalysisReport.json(outcomes) } }
        for folder in groups.keys.sorted() {
            var runs = groups[folder] ?? []
            var target = output ?? (folder as NSString).appendingPathComponent("analysis.h5")
            if let (index, count) = shard.flatMap(Shard.init).map({ ($0.index, $0.count) }) {
                runs = ExperimentAnalysis.shard(runs, index: index, count: count)
                target = output ?? ExperimentAnalysis.shardFile(folder: folder, index: index, count: count)
                if runs.isEmpty { logger.notice("\(folder): no runs in shard \(index)/\(count)"); continue }
            }
            let request = ExperimentAnalysis.Request(
                runs: runs, output: target, estimators: given, force: force,
                csv: csv ? ((target as NSString).deletingPathExtension + ".csv") : nil,
                tool: "infoplane \(Infoplane.version)", showProgress: !log.quiet, includeIncomplete: includeIncomplete,
                acceptFloat16KNN: acceptFloat16Knn)
            do {
                let outcome = try ExperimentAnalysis(logger: logger).analyze(request)
                AnalysisReport.log(outcome, quiet: log.quiet || json, logger: logger)
                if let peak = peakResidentBytes() { logger.info("\(target): peak memory \(peak >> 20) MiB resident (this process so far)") }
                outcomes.append(outcome)
            } catch {
                // Every folder is tried; each failure is one line, the exit code the worst.
                writeError(ExitStatus.line(for: error))
                worst = max(worst, ExitStatus.code(for: error))
            }
        }
        if worst != ExitStatus.success { throw ExitCode(worst) }
    }
}
