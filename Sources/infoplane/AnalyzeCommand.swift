import Analysis
import ArgumentParser
import Foundation
import Networks

/// `infoplane analyze RUNS…`: information-plane coordinates of run files.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Estimate I(X;T) and I(T;Y) of every layer at every logged epoch of run files.",
        discussion: """
        Uses the estimators of the runs' configuration (analysis.estimators). Writes one \
        analysis.h5 per folder of runs (per estimator: [run, epoch, layer] values in bits, means, \
        standard deviations, bootstrap intervals, peak epochs and compression; layout in \
        docs/estimators.md), and analysis.csv with --csv.

        Examples:
          infoplane analyze results/quick
          infoplane analyze results/tishby2017/run-1.h5 results/tishby2017/run-2.h5 --csv
        """
    )

    @Argument(help: "Run files, or folders to search for run-*.h5.")
    var paths: [String]

    @Flag(help: "Also write analysis.csv (estimator, run, seed, epoch, layer, I(X;T), I(T;Y)).")
    var csv = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        let logger = output.logger()
        let groups: [String: [String]]
        do {
            groups = try ExperimentAnalysis.collect(paths)
        } catch {
            throw InputError("\(error)")
        }
        guard !groups.isEmpty else { throw InputError("no run files (run-*.h5) under \(paths.joined(separator: ", "))") }
        let analysis = ExperimentAnalysis(logger: logger)
        var worst = ExitStatus.success
        for folder in groups.keys.sorted() {
            do {
                let outcome = try analysis.analyze(folder: folder, runs: groups[folder] ?? [], csv: csv, tool: "infoplane \(Infoplane.version)",
                                                   showProgress: !output.quiet)
                if !output.quiet { print(AnalysisReport.render(outcome)) }
                if let note = outcome.note { logger.warning("\(folder): \(note)") }
            } catch {
                // Every folder is tried; each failure is one line, the exit code the worst.
                writeError(ExitStatus.line(for: error))
                worst = max(worst, ExitStatus.code(for: error))
            }
        }
        if worst != ExitStatus.success { throw ExitCode(worst) }
    }
}
