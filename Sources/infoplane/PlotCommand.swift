import ArgumentParser
import Configuration
import Experiments
import Foundation
import Networks
import Plotting
import Recording
import Reports

/// `infoplane plot RESULTS…`: figures of analysed folders.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw the figures of analysed result folders (SVG, and PNG when rsvg-convert is installed).",
        discussion: """
        For each folder holding analysis.h5 (written by `infoplane analyze`), writes \
        plots/<experiment>[/<sweep values>]/: information_plane, estimator_comparison, snapshots, \
        information_vs_epoch, training_curves, gradient_snr, dpi_violations.

        The planes span 0 to H(X) and 0 to H(Y) unless the data go beyond; --zoom fits them to \
        the data, --xlim/--ylim set them. --estimator chooses the estimator of the main figures \
        (default: the experiment's first configured one).

        Examples:
          infoplane plot results/quick
          infoplane plot results/tishby2017 --plots figures
          infoplane plot results/quick --zoom --only information_plane --size 900 \\
              --font-scale 1.3
        """
    )

    @Argument(help: "Result folders (searched for analysis.h5).")
    var paths: [String]

    @Option(help: "Root folder of the figures.")
    var plots = "plots"

    @Option(help: "Root folder of the results (to name the figures' subfolders).")
    var results = "results"

    @Option(help: ArgumentHelp("Only these figures (comma-separated): information_plane, estimator_comparison, snapshots, gradient_snr, training_curves, information_vs_epoch, dpi_violations.", valueName: "names"))
    var only: String?

    @Flag(help: "Divide the gradient norms by the weight norm in gradient_snr.")
    var relativeGradients = false

    @OptionGroup(title: "Figures") var figure: FigureOptions

    @Flag(help: "Print what was written as JSON: per folder, the figures and notes.")
    var json = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        let wanted = try only.map { (list) throws(ConfigError) in try FigureKind.parse(list: list) } ?? []
        let folders = try PlotCommand.analysedFolders(paths)
        guard !folders.isEmpty else { throw InputError("no analysis.h5 under \(paths.joined(separator: ", ")); run infoplane analyze first") }
        let maker = PlotMaker(wanted: wanted, relativeGradients: relativeGradients, estimator: figure.estimator, style: try figure.style())
        var written: [FilesJSON] = []
        defer { if json { try? writeJSON(written) } }
        for folder in folders {
            written.append(try PlotCommand.plot(folder, results: results, plots: plots, maker: maker, output: output, lines: !json))
        }
    }

    static func analysedFolders(_ paths: [String]) throws -> [String] {
        var folders: [String] = []
        for path in paths {
            guard FileManager.default.fileExists(atPath: path) else { throw InputError("\(path): no such folder") }
            let enumerator = FileManager.default.enumerator(atPath: path)
            if FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("analysis.h5")) { folders.append(path) }
            while let relative = enumerator?.nextObject() as? String {
                if (relative as NSString).lastPathComponent == "analysis.h5" && relative != "analysis.h5" {
                    folders.append((path as NSString).appendingPathComponent(PathComponent.folder(of: relative)))
                }
            }
        }
        return Array(Set(folders)).sorted()
    }

    /// Draws `wanted` (all when empty) with the default estimator and style.
    static func plot(_ folder: String, results: String, plots: String, wanted: [FigureKind], output: OutputOptions) throws {
        try plot(folder, results: results, plots: plots, maker: PlotMaker(wanted: wanted), output: output)
    }

    /// Draws a folder's figures; prints a line saying where (with `lines`, unless quiet) and
    /// returns what was written.
    @discardableResult
    static func plot(_ folder: String, results: String, plots: String, maker: PlotMaker, output: OutputOptions, lines: Bool = true) throws -> FilesJSON {
        let outcome = try maker.plot(resultsFolder: folder, resultsRoot: results, plotsRoot: plots)
        let wanted = maker.wanted
        let svgs = outcome.files.filter { $0.hasSuffix(".svg") }.map { ($0 as NSString).lastPathComponent }
        if svgs.isEmpty {
            output.logger().notice("\(folder): no figure to draw (\(wanted.isEmpty ? "the analysis has nothing to plot" : "none of \(wanted.map(\.rawValue).joined(separator: ", ")) applies"))")
        } else if !output.quiet && lines {
            let page = outcome.files.contains { $0.hasSuffix(".html") } ? "; information_plane.html (interactive)" : ""
            print("plotted  \(outcome.folder)/  \(svgs.joined(separator: ", "))\(outcome.files.contains { $0.hasSuffix(".png") } ? " (+ PNG)" : "")\(page)")
        }
        for note in outcome.notes { output.logger().notice("\(note)") }
        return FilesJSON(folder: outcome.folder, files: outcome.files, notes: outcome.notes)
    }
}
