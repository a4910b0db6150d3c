import Analysis
import ArgumentParser
import Configuration
import Experiments
import Foundation
import Networks
import Plotting
import Recording
import Reproduction

/// `infoplane reproduce`: the literature's results rerun and checked.
struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Rerun the literature's information-plane results and check them: the 2017 archived run, Saxe et al. 2018's claims, training-set sizes.",
        discussion: """
        Each part trains experiment files from --experiments, analyses them, draws its figures \
        into <plots>/reproduction/ and prints what it measured against what the paper states, \
        with a verdict. Run files go to <results>/reproduction/<experiment>/.

          archived  tishby2017-archived.yaml (12-10-7-5-4-4-3-2 tanh, full-batch Adam 2e-4 on all \
        of var_u, 964 logged epochs, 50 bin edges) against the authors' archive (--archive), per \
        layer: RMS difference of the mean curves, the peak of I(X;T) and its epoch, final values, \
        the share of epochs within the archive's ±2σ.
          saxe      saxe2018-tanh.yaml and saxe2018-relu.yaml: does tanh compress and ReLU not, \
        under binning and KDE; where the gradient SNR phase transition falls.
          individual  every network of the archived setting at three moments (2017, Fig. 2), ours \
        and the archive's, and each network's path; the spread across runs.
          bound     the IB curve of var_u (iterative IB algorithm) against the converged layers \
        (2017, Fig. 6); var_u's labels are deterministic, so the curve is a line.
          sizes     tishby2017.yaml on 5%, 45% and 85% of var_u (2017, Fig. 3): does I(T;Y) drop \
        late with little data (overfitting) and not with much.
          depth     tishby2017.yaml with 1 to 6 hidden layers on 80% of var_u (2017, Fig. 5): do \
        more layers reach good generalisation sooner; does compressing more take longer.
          linear    linear student-teacher networks with Gaussian inputs, where I(X;T) and I(T;Y) \
        are exact (Saxe et al. 2018, §4 and §6): overtraining without compression, compression \
        of irrelevant inputs, and our estimators scored against the exact values.

        Repeats and epochs are the experiment files' (the papers': 10000 epochs; 20, 5 and 10 \
        repeats; at most 5 per depth) unless --repeats and --epochs say otherwise.

        Examples:
          # everything (make reproduce)
          infoplane reproduce
          infoplane reproduce --part archived --repeats 2 --epochs 500
          infoplane reproduce --part saxe --json
          infoplane reproduce --part individual --part bound --repeats 2 \\
              --epochs 1000
          infoplane reproduce --part linear
        """
    )

    enum Part: String, ExpressibleByArgument, CaseIterable { case all, archived, individual, bound, saxe, sizes, depth, linear }

    @Option(help: "Which part (repeatable; parts that share runs train them once): all, archived (the 2017 archive), individual (2017 Fig. 2), bound (the IB bound, 2017 Fig. 6), saxe (Saxe et al. 2018's claims), sizes (2017 Fig. 3), depth (2017 Fig. 5), linear (Saxe et al.'s linear networks, exact MI).")
    var part: [Part] = [.all]

    @Option(help: "Repeats per experiment (default: the experiment file's; at most 10 per share for sizes).")
    var repeats: Int?

    @Option(help: "Epochs (default: the experiment file's; the papers ran 10000).")
    var epochs: Int?

    @Option(help: "Folder of the experiment files (tishby2017-archived.yaml, tishby2017.yaml, saxe2018-tanh.yaml, saxe2018-relu.yaml).")
    var experiments = "experiments"

    @Option(help: "The archived results of the 2017 authors.")
    var archive = "data/reference/idnns_orig_run_varu_10-7-5-4-4-3_fullbatch_20rep.h5"

    @Option(help: "Root folder of the run files (they go to <results>/reproduction/).")
    var results = "results"

    @Option(help: "Root folder of the figures (they go to <plots>/reproduction/).")
    var plots = "plots"

    @Flag(help: "Print what each part measured as JSON (snake_case keys) instead of text.")
    var json = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let repeats, repeats < 1 { throw ValidationError("--repeats \(repeats): expected at least 1") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs \(epochs): expected at least 1") }
    }

    func run() throws {
        let start = Date()
        var report = JSON()
        var archivedSetting: ExperimentAnalysis.Outcome?
        if wants(.archived) { (report.archived, archivedSetting) = try archived() }
        if wants(.individual) || wants(.bound) {
            // One training of the archived setting serves the archive comparison and these two.
            let setting = try archivedSetting ?? trainAndAnalyse(file("tishby2017-archived.yaml"), repeats: repeats)
            if wants(.individual) { report.individual = try individual(setting) }
            if wants(.bound) { report.bound = try bound(setting) }
        }
        if wants(.saxe) { report.saxe = try saxe() }
        if wants(.sizes) { report.sizes = try sizes() }
        if wants(.depth) { report.depth = try depth() }
        if wants(.linear) { report.linear = try linear() }
        report.seconds = Date().timeIntervalSince(start)
        if json { try writeJSON(report) } else { say(String(format: "reproduction time: %.1f s", report.seconds)) }
    }

    var resultsFolder: String { (results as NSString).appendingPathComponent("reproduction") }
    var plotsFolder: String { (plots as NSString).appendingPathComponent("reproduction") }
    /// Quiet when printing JSON: standard output holds the JSON alone.
    var log: OutputOptions { var log = output; if json { log.quiet = true }; return log }
    func say(_ text: String) { if !log.quiet { print(text) } }
    func file(_ name: String) -> String { (experiments as NSString).appendingPathComponent(name) }

    /// Trains and analyses one experiment file with the repeat and epoch overrides; returns
    /// its analysis.
    func trainAndAnalyse(_ file: String, repeats: Int?, overrides: [String] = [], results: String? = nil) throws -> ExperimentAnalysis.Outcome {
        let results = results ?? resultsFolder
        var arguments = [file, "--results", results, "--force"]
        if let repeats { arguments += ["--set", "repeats=\(repeats)"] }
        if let epochs { arguments += ["--set", "training.epochs=\(epochs)"] }
        for override in overrides { arguments += ["--set", override] }
        if log.quiet { arguments.append("--quiet") }
        var trained = TrainResult()
        try TrainCommand.train(try ExperimentOptions.parse(arguments), into: &trained)
        guard let folder = trained.folders.first else { throw InputError("\(file): no runs") }
        let outcome = try RunCommand.analyse(folder, output: log)
        try PlotCommand.plot(folder, results: resultsFolder, plots: plotsFolder, wanted: [.estimatorComparison, .gradientSNR], output: log)
        return outcome
    }

    /// Writes figures into the plots folder and says where.
    func write(_ figures: [(name: String, svg: SVG)]) throws -> [String] {
        var written: [String] = []
        for (name, svg) in figures {
            let (files, note) = try svg.write(to: plotsFolder, name: name)
            if let note { log.logger().notice("\(note)") }
            written += files
        }
        if !written.isEmpty { say("figures: \(written.joined(separator: ", "))") }
        return written
    }

    func archived() throws -> (JSON.Archived, ExperimentAnalysis.Outcome) {
        let start = Date()
        let outcome = try trainAndAnalyse(file("tishby2017-archived.yaml"), repeats: repeats)
        let comparison = try ArchiveComparison.compare(analysisPath: outcome.output, label: "binning_edges50", archivePath: archive)
        say("Archived run (\(comparison.archiveRuns) repeats) against ours (\(comparison.ourRuns) repeats, \(outcome.epochs) logged epochs) on \(comparison.epochs.count) common logged epochs:")
        say(comparison.table)
        let figures = try write([("archived_information_plane", comparison.figure())])
        say(String(format: "time: %.1f s (analysis %.1f s)", Date().timeIntervalSince(start), outcome.seconds))
        return (JSON.Archived(comparison, analysis: outcome.output, figures: figures), outcome)
    }
}
