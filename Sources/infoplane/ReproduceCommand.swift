import Analysis
import ArgumentParser
import Experiments
import Foundation
import Recording
import Networks
import Plotting
import Reproduction

/// `infoplane reproduce`: the literature's results rerun and checked.
struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Rerun the literature's information-plane results and check them: the 2017 archived run, Saxe et al. 2018's claims.",
        discussion: """
        Trains experiments/tishby2017-archived.yaml (12-10-7-5-4-4-3-2 tanh, full-batch Adam 2e-4 on \
        all of var_u, 10000 epochs, 964 logged epochs, 50 bin edges), analyses it, and compares the \
        mean curves with data/reference/idnns_orig_run_…h5 per layer: RMS difference, the peak of \
        I(X;T) and its epoch, final values, and the share of epochs within the archive's ±2σ. \
        Figures go to plots/reproduction/.

        Examples:
          infoplane reproduce                         # everything (make reproduce)
          infoplane reproduce --part archived --repeats 2 --epochs 1000
          infoplane reproduce --part saxe
        """
    )

    enum Part: String, ExpressibleByArgument, CaseIterable { case all, archived, saxe, sizes }

    @Option(help: "Which part: all, archived (the 2017 archive), saxe (Saxe et al. 2018's claims), sizes (training-set size, 2017 Fig. 3).")
    var part: Part = .all

    @Option(help: "Repeats (default: the papers' — 20 for the archive, 5 for Saxe et al.).")
    var repeats: Int?

    @Option(help: "Epochs (the papers ran 10000).")
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
        if part == .all || part == .archived { try archived() }
        if part == .all || part == .saxe { try saxe() }
        if part == .all || part == .sizes { try sizes() }
        print(String(format: "reproduction time: %.1f s", Date().timeIntervalSince(start)))
    }

    /// Trains and analyses one experiment file with the repeat and epoch overrides; returns
    /// its analysis.
    func trainAndAnalyse(_ file: String, repeats: Int, overrides: [String] = [], results: String? = nil) throws -> ExperimentAnalysis.Outcome {
        let results = results ?? self.results
        var arguments = [file, "--results", results, "--force", "--set", "repeats=\(repeats)", "--set", "training.epochs=\(epochs)"]
        for override in overrides { arguments += ["--set", override] }
        if output.quiet { arguments.append("--quiet") }
        let folders = try TrainCommand.train(try ExperimentOptions.parse(arguments))
        guard let folder = folders.first else { throw InputError("\(file): no runs") }
        let outcome = try RunCommand.analyse(folder, output: output)
        try PlotCommand.plot(folder, results: results, plots: plots, wanted: [.estimatorComparison, .gradientSNR], output: output)
        return outcome
    }

    /// 2017, Fig. 3: the same network trained on 5%, 45% and 85% of var_u
    /// (``TrainingSetSizeStudy``).
    func sizes() throws {
        let start = Date()
        let file = (PathComponent.folder(of: config) as NSString).appendingPathComponent("tishby2017.yaml")
        var analyses: [(fraction: Double, analysis: AnalysisFile.Contents)] = []
        for fraction in [0.05, 0.45, 0.85] {
            let outcome = try trainAndAnalyse(file, repeats: repeats ?? 10, overrides: ["data.train_fraction=\(fraction)"],
                                              results: (results as NSString).appendingPathComponent("sizes-\(Int(fraction * 100))"))
            analyses.append((fraction, try AnalysisFile.read(outcome.output)))
        }
        let study = TrainingSetSizeStudy.evaluate(analyses)
        try write(study.figures())
        print(study.report)
        print(String(format: "time: %.1f s", Date().timeIntervalSince(start)))
    }

    /// Writes figures into the plots folder and says where.
    func write(_ figures: [(name: String, svg: SVG)]) throws {
        var written: [String] = []
        for (name, svg) in figures {
            let (files, note) = try svg.write(to: plots, name: name)
            if let note { output.logger().notice("\(note)") }
            written += files
        }
        if !written.isEmpty { print("figures: \(written.joined(separator: ", "))") }
    }

    func saxe() throws {
        let start = Date()
        let directory = PathComponent.folder(of: config)
        let tanh = try trainAndAnalyse((directory as NSString).appendingPathComponent("saxe2018-tanh.yaml"), repeats: repeats ?? 5)
        let relu = try trainAndAnalyse((directory as NSString).appendingPathComponent("saxe2018-relu.yaml"), repeats: repeats ?? 5)
        let claims = SaxeClaims.evaluate(tanh: try AnalysisFile.read(tanh.output), relu: try AnalysisFile.read(relu.output))
        print("Saxe et al. 2018, measured on our runs (\(epochs) epochs; figures in \(plots)/saxe2018-*):")
        print(claims.report)
        print(String(format: "time: %.1f s", Date().timeIntervalSince(start)))
    }

    func archived() throws {
        let start = Date()
        let outcome = try trainAndAnalyse(config, repeats: repeats ?? 20)
        let comparison = try ArchiveComparison.compare(analysisPath: outcome.output, label: "binning_edges50", archivePath: archive)
        print("Archived run (\(comparison.archiveRuns) repeats) against ours (\(comparison.ourRuns) repeats, \(epochs) epochs) on \(comparison.epochs.count) common logged epochs:")
        print(comparison.table)
        try write([("archived_information_plane", comparison.figure())])
        print(String(format: "time: %.1f s (analysis %.1f s)", Date().timeIntervalSince(start), outcome.seconds))
    }
}
