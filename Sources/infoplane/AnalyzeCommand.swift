import Analysis
import ArgumentParser
import Experiments
import Foundation
import Information
import Networks

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
          infoplane analyze results/quick --estimator binning:bins=10 --estimator binning:bins=100
          infoplane analyze results/quick --set 'analysis.estimators=[{kind: kde, noise_variance: 0.01}]'
          infoplane analyze results/quick/run-1.h5 -o run-1-analysis.h5 --csv
        """
    )

    @Argument(help: "Run files, or folders to search for run-*.h5.")
    var paths: [String]

    @Option(name: .customLong("estimator"), help: ArgumentHelp(
        "An estimator to compute, as kind:key=value,… with the keys of analysis.estimators, e.g. binning:bins=10, binning:width=0.5,range=layer, kde:noise_variance=0.1,bound=upper, adaptive:bins=30, knn:k=3 (repeatable).",
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

    @Flag(help: "Also write analysis.csv beside the analysis file (experiment, variant, estimator, seed, run, epoch, layer_index, layer, I(X;T), I(T;Y)).")
    var csv = false

    @OptionGroup var log: OutputOptions

    func run() throws {
        let logger = log.logger()
        let given: [EstimatorSpec]?
        let groups: [String: [String]]
        do {
            given = try AnalysisConfig.estimators(sets: overrides, short: estimators)
            groups = try ExperimentAnalysis.collect(paths)
        } catch {
            throw InputError("\(error)")
        }
        guard !groups.isEmpty else { throw InputError("no run files (run-*.h5) under \(paths.joined(separator: ", "))") }
        if let output, groups.count > 1 {
            throw InputError("-o \(output) names one analysis file, but the runs are in \(groups.count) folders (\(groups.keys.sorted().joined(separator: ", "))); analyse one folder at a time")
        }
        var worst = ExitStatus.success
        for folder in groups.keys.sorted() {
            let target = output ?? (folder as NSString).appendingPathComponent("analysis.h5")
            let request = ExperimentAnalysis.Request(
                runs: groups[folder] ?? [], output: target, estimators: given, force: force,
                csv: csv ? ((target as NSString).deletingPathExtension + ".csv") : nil,
                tool: "infoplane \(Infoplane.version)", showProgress: !log.quiet)
            do {
                let outcome = try ExperimentAnalysis(logger: logger).analyze(request)
                AnalysisReport.log(outcome, quiet: log.quiet, logger: logger)
            } catch {
                // Every folder is tried; each failure is one line, the exit code the worst.
                writeError(ExitStatus.line(for: error))
                worst = max(worst, ExitStatus.code(for: error))
            }
        }
        if worst != ExitStatus.success { throw ExitCode(worst) }
    }
}
