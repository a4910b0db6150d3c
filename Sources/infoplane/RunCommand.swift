import ArgumentParser
import Foundation
import Lab

/// `infoplane run CONFIG`: train every run, then analyse them.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train every run of an experiment, then estimate its information plane (train + analyze).",
        discussion: """
        The runs go to results/<experiment>/[<sweep values>/]run-<seed>.h5, the analysis of each \
        folder to analysis.h5 and analysis.csv beside them. With --shard, only this shard's runs \
        are trained; analyse after all shards have finished: infoplane analyze results/<experiment>.

        Examples:
          infoplane run experiments/quick.yaml
          infoplane run experiments/saxe2018-tanh.yaml --set repeats=2 --jobs 2
        """
    )

    @OptionGroup var options: ExperimentOptions

    func run() throws {
        let folders = try TrainCommand.train(options)
        let logger = options.output.logger()
        guard options.shard == nil else {
            logger.notice("shard done; analyse after all shards: infoplane analyze \(options.results)/<experiment>")
            return
        }
        let analysis = ExperimentAnalysis(logger: logger)
        for folder in folders {
            let groups = try ExperimentAnalysis.collect([folder])
            guard let runs = groups[folder] else { continue }
            do {
                let outcome = try analysis.analyze(folder: folder, runs: runs, csv: true, tool: "infoplane \(Infoplane.version)")
                if !options.output.quiet { print(AnalysisReport.render(outcome)) }
            } catch let error as ConfigError {
                throw InputError("\(error)")
            }
        }
    }
}
