import Analysis
import ArgumentParser
import Configuration
import Experiments
import Foundation
import Logging
import Networks
import Recording
import Reports

/// `infoplane run CONFIG`: train every run, then analyse them.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train every run of an experiment, estimate its information plane, draw its figures (train + analyze + plot).",
        discussion: """
        The runs go to results/<experiment>/[<sweep values>/]run-<seed>.h5, the analysis of each \
        folder to analysis.h5 and analysis.csv beside them, the figures (the config's \
        analysis.plots, or all) to plots/<experiment>/; a sweep's variants are also compared side \
        by side in plots/<experiment>/compare/ (as infoplane compare). With --shard, only this shard's runs are \
        trained; after all shards: infoplane analyze results/<experiment> && infoplane plot results/<experiment>.

        Examples:
          infoplane run experiments/quick.yaml
          infoplane run experiments/saxe2018-tanh.yaml --set repeats=2 --jobs 2
        """
    )

    @OptionGroup var options: ExperimentOptions

    @Option(help: "Root folder of the figures.")
    var plots = "plots"

    /// `run --json`: the training, then what each later step wrote.
    struct JSON: Encodable {
        var runs: [RunJSON]
        var folders: [String]
        var analyses: [AnalysisReport.JSON] = []
        var figures: [FilesJSON] = []
        var comparison: CompareCommand.JSON?
        var explanations: [FilesJSON] = []
    }

    func run() throws {
        var trained = TrainResult()
        var report: JSON?
        defer {
            if options.json && trained.started {
                try? writeJSON(report ?? JSON(runs: trained.json.runs, folders: trained.folders))
            }
        }
        try TrainCommand.train(options, into: &trained)
        let folders = trained.folders
        report = JSON(runs: trained.json.runs, folders: folders)
        let lines = !options.json
        let logger = options.output.logger()
        guard options.shard == nil else {
            logger.notice("shard done; analyse after all shards: infoplane analyze \(options.results)/<experiment>")
            return
        }
        let experiments: [Experiment]
        do { experiments = try ExperimentLoader.load(options.config, overrides: options.effectiveOverrides) } catch { throw InputError(wrapping: error) }
        defer { report?.explanations = explain(folders, experiments: experiments, logger: logger) }
        if let first = experiments.first, first.config.analysis.estimators.isEmpty {
            // A model to explain rather than an information plane to estimate (fashion-cnn.yaml):
            // the training curves and gradient SNR are still analysed and drawn.
            logger.notice("\(options.config) configures no analysis.estimators: information-plane figures skipped; add estimators later with infoplane analyze \(folders.first ?? options.results) --estimator binning:bins=30")
        }
        for folder in folders {
            do {
                report?.analyses.append(AnalysisReport.JSON(try Self.analyse(folder, output: options.output, lines: lines)))
                report?.figures.append(try PlotCommand.plot(folder, results: options.results, plots: plots,
                                                            maker: PlotMaker(wanted: experiments.first?.config.analysis.plots ?? []),
                                                            output: options.output, lines: lines))
            } catch let error as ConfigError {
                throw InputError(wrapping: error)
            }
        }
        // A sweep: its variants side by side in plots/<experiment>/compare/.
        if experiments.count > 1, folders.count > 1, let first = experiments.first, !first.config.analysis.estimators.isEmpty {
            let target = (plots as NSString).appendingPathComponent(PathComponent.sanitized(first.config.name) + "/compare")
            let comparison = try Comparison(folders: folders, estimator: nil, layers: nil)
            let outcome = try comparison.write(to: target)
            if !options.output.quiet && lines { print(CompareCommand.line(outcome, variants: folders.count)) }
            for note in outcome.notes { logger.notice("\(note)") }
            report?.comparison = CompareCommand.JSON(folder: outcome.folder, variants: comparison.variants.map(\.name), files: outcome.files, notes: outcome.notes)
        }
    }

    /// The pipeline's analysis of a folder of runs it just trained: the configured
    /// estimators, analysis.h5 and analysis.csv beside the runs; an analysis of other or
    /// changed runs is replaced (with a notice), one of the same runs extended.
    static func analyse(_ folder: String, output: OutputOptions, lines: Bool = true) throws -> ExperimentAnalysis.Outcome {
        guard let runs = try ExperimentAnalysis.collect([folder])[folder] else { throw InputError("\(folder): no run files") }
        let request = ExperimentAnalysis.Request(
            runs: runs, output: (folder as NSString).appendingPathComponent("analysis.h5"), replaceStale: true,
            csv: (folder as NSString).appendingPathComponent("analysis.csv"), tool: "infoplane \(Infoplane.version)",
            showProgress: !output.quiet)
        let outcome = try ExperimentAnalysis(logger: output.logger()).analyze(request)
        AnalysisReport.log(outcome, quiet: output.quiet || !lines, logger: output.logger())
        return outcome
    }

    /// The configured explanation report for the first run of each folder
    /// (<plots>/<experiment>[/<variant>]/run-<seed>/epoch-<k>/explain/); failures are reported, not fatal.
    func explain(_ folders: [String], experiments: [Experiment], logger: Logger) -> [FilesJSON] {
        guard let config = experiments.first?.config.explain else { return [] }
        var written: [FilesJSON] = []
        for folder in folders {
            guard let run = (try? ExperimentAnalysis.collect([folder]))?[folder]?.sorted().first else { continue }
            do {
                let study = try ExplanationStudy.run(run, epoch: nil, options: config.options)
                let target = OutputPlace.folder(plots: plots, runPath: run, experiment: study.experiment, epoch: study.epoch, tool: "explain")
                let files = try ExplanationReport.write(study, to: target)
                if !options.output.quiet && !options.json { print("explanations of \(run): \(files.first ?? target)") }
                written.append(FilesJSON(folder: target, files: files))
            } catch {
                logger.error("explain \(run): \(error)")
            }
        }
        return written
    }
}
