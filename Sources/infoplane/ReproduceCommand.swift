import Analysis
import ArgumentParser
import Experiments
import Foundation
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
        do {
            let outcome = try ExperimentAnalysis(logger: output.logger()).analyze(folder: folder, runs: try ExperimentAnalysis.collect([folder])[folder] ?? [],
                                                                                 csv: true, tool: "infoplane \(Infoplane.version)", showProgress: !output.quiet)
            if !output.quiet { print(AnalysisReport.render(outcome)) }
            try PlotCommand.plot(folder, results: results, plots: plots, wanted: ["estimator_comparison", "gradient_snr"], output: output)
            return outcome
        } catch let error as ConfigError {
            throw InputError("\(error)")
        }
    }

    /// 2017, Fig. 3: the same network trained on 5%, 45% and 85% of var_u. With little
    /// data the network overfits: I(T;Y) of the last hidden layer (measured on all 4096
    /// patterns) rises and then falls late in training.
    func sizes() throws {
        let start = Date()
        let file = ((config as NSString).deletingLastPathComponent as NSString).appendingPathComponent("tishby2017.yaml")
        var drops: [(fraction: Double, drop: Double, peak: Double, final: Double)] = []
        var planes: [PlaneData] = []
        var ityCurves: [Figures.Series] = [], ixtCurves: [Figures.Series] = []
        var lastHidden = ""
        for fraction in [0.05, 0.45, 0.85] {
            let outcome = try trainAndAnalyse(file, repeats: repeats ?? 10, overrides: ["data.train_fraction=\(fraction)"],
                                              results: (results as NSString).appendingPathComponent("sizes-\(Int(fraction * 100))"))
            let analysis = try AnalysisFile.read(outcome.output)
            guard let label = analysis.labels.first, let ity = analysis.ityMean[label], let ixt = analysis.ixtMean[label],
                  let last = analysis.layers.indices.dropLast().last else { continue }
            let column = ity.map { $0[last] }
            let peak = column.max() ?? 0, final = column.last ?? 0
            drops.append((fraction, peak - final, peak, final))
            let name = String(format: "%.0f%% of the data", fraction * 100)
            planes.append(PlaneData(title: "\(name): \(analysis.runs.count) runs", epochs: analysis.epochs, ixt: ixt, ity: ity, layerNames: analysis.layers))
            let epochs = analysis.epochs.map { Double(max($0, 1)) }
            ityCurves.append(.init(name: name, points: Array(zip(epochs, column))))
            ixtCurves.append(.init(name: name, points: Array(zip(epochs, ixt.map { $0[last] }))))
            lastHidden = analysis.layers[last]
        }
        try drawSizes(planes: planes, ity: ityCurves, ixt: ixtCurves, layer: lastHidden)
        print("Training-set size (2017, Fig. 3), I(T;Y) of the last hidden layer on all 4096 patterns, mean over runs:")
        for d in drops {
            print(String(format: "  %3.0f%% of the data: peak %.3f bits, final %.3f bits, late drop %.3f", d.fraction * 100, d.peak, d.final, d.drop))
        }
        if let small = drops.first, let large = drops.last {
            let holds = small.drop > 0.05 && small.drop > 2 * large.drop
            print("\(holds ? "holds        " : "does not hold") with 5% of the data I(T;Y) drops late (overfitting), with 85% it does not"
                  + String(format: " (drop %.3f against %.3f bits)", small.drop, large.drop))
        }
        print(String(format: "time: %.1f s", Date().timeIntervalSince(start)))
    }

    /// The sizes study's figures: the three information planes side by side (as the
    /// paper's Fig. 3 rows), and the last hidden layer's I(T;Y) and I(X;T) against epoch
    /// for the three fractions, where the late drop of I(T;Y) with 5% of the data shows.
    func drawSizes(planes: [PlaneData], ity: [Figures.Series], ixt: [Figures.Series], layer: String) throws {
        guard !planes.isEmpty else { return }
        let plane = Figures.informationPlane(planes, hx: 12, hy: 0.999157,
                                             title: "Training-set size (2017, Fig. 3): binning with 30 bins, mean over runs, measured on all 4096 patterns")
        let curves = Figures.lines([(title: "I(T;Y) of \(layer)", yLabel: "bits", series: ity, markers: []),
                                    (title: "I(X;T) of \(layer)", yLabel: "bits", series: ixt, markers: [])],
                                   xLabel: "epoch", logX: true, title: "Training-set size: the last hidden layer")
        var written: [String] = []
        for (svg, name) in [(plane, "sizes_information_plane"), (curves, "sizes_last_hidden")] {
            let (files, note) = try svg.write(to: plots, name: name)
            if let note { output.logger().notice("\(note)") }
            written += files
        }
        print("figures: \(written.joined(separator: ", "))")
    }

    func saxe() throws {
        let start = Date()
        let directory = (config as NSString).deletingLastPathComponent
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
        print(String(format: "time: %.1f s (analysis %.1f s)", Date().timeIntervalSince(start), outcome.seconds))
    }
}
