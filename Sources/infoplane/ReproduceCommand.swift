import ArgumentParser
import Foundation
import Lab
import Plotting

/// `infoplane reproduce`: the literature's results rerun and checked.
struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Rerun the 2017 authors' archived setting and compare with their archived results.",
        discussion: """
        Trains experiments/tishby2017-archived.yaml (12-10-7-5-4-4-3-2 tanh, full-batch Adam 2e-4 on \
        all of var_u, 10000 epochs, 964 logged epochs, 50 bin edges), analyses it, and compares the \
        mean curves with data/reference/idnns_orig_run_…h5 per layer: RMS difference, the peak of \
        I(X;T) and its epoch, final values, and the share of epochs within the archive's ±2σ. \
        Figures go to plots/reproduction/.

        Examples:
          infoplane reproduce                         # 20 repeats × 10000 epochs (make reproduce)
          infoplane reproduce --repeats 2 --epochs 1000
        """
    )

    @Option(help: "Repeats (the archive has 20).")
    var repeats = 20

    @Option(help: "Epochs (the archive ran 10000).")
    var epochs = 10000

    @Option(help: "The experiment file.")
    var config = "experiments/tishby2017-archived.yaml"

    @Option(help: "The archived results.")
    var archive = "data/reference/idnns_orig_run_varu_10-7-5-4-4-3_fullbatch_20rep.h5"

    @Option(help: "Folder for run files.")
    var results = "results/reproduction"

    @Option(help: "Folder for figures.")
    var plots = "plots/reproduction"

    @OptionGroup var output: OutputOptions

    func run() throws {
        let start = Date()
        var arguments = [config, "--results", results, "--force", "--set", "repeats=\(repeats)", "--set", "training.epochs=\(epochs)"]
        if output.quiet { arguments.append("--quiet") }
        let options = try ExperimentOptions.parse(arguments)
        let folders = try TrainCommand.train(options)
        let trained = Date()
        guard let folder = folders.first else { throw InputError("\(config): no runs") }
        let outcome: ExperimentAnalysis.Outcome
        do {
            outcome = try ExperimentAnalysis(logger: output.logger()).analyze(folder: folder, runs: try ExperimentAnalysis.collect([folder])[folder] ?? [],
                                                                             csv: true, tool: "infoplane \(Infoplane.version)", showProgress: !output.quiet)
        } catch let error as ConfigError {
            throw InputError("\(error)")
        }
        if !output.quiet { print(AnalysisReport.render(outcome)) }
        let analysed = Date()
        let comparison: ArchiveComparison
        do {
            comparison = try ArchiveComparison.compare(analysisPath: outcome.output, label: "binning_edges50", archivePath: archive)
        } catch let error as ConfigError {
            throw InputError("\(error)")
        }
        print("Archived run (\(comparison.archiveRuns) repeats) against ours (\(comparison.ourRuns) repeats, \(epochs) epochs) on \(comparison.epochs.count) common logged epochs:")
        print(comparison.table)
        let planes = [PlaneData(title: "ours: \(comparison.ourRuns) runs", epochs: comparison.epochs, ixt: comparison.ours.ixt, ity: comparison.ours.ity, layerNames: comparison.layerNames),
                      PlaneData(title: "archive: \(comparison.archiveRuns) runs (2017)", epochs: comparison.epochs, ixt: comparison.archive.ixt, ity: comparison.archive.ity, layerNames: comparison.layerNames)]
        let (files, note) = try Figures.informationPlane(planes, hx: 12, hy: 0.999157,
                                                         title: "Archived 2017 setting: binning with 50 edges, mean over runs").write(to: plots, name: "archived_information_plane")
        if let note { output.logger().notice("\(note)") }
        print("figure: \(files.joined(separator: ", "))")
        print(String(format: "time: training %.1f s, analysis %.1f s, total %.1f s", trained.timeIntervalSince(start),
                     analysed.timeIntervalSince(trained), Date().timeIntervalSince(start)))
    }
}
