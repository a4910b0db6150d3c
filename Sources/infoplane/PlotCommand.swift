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

        Examples:
          infoplane plot results/quick
          infoplane plot results/tishby2017 --plots figures
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

    @OptionGroup var output: OutputOptions

    func run() throws {
        let wanted = try only.map { (list) throws(ConfigError) in try FigureKind.parse(list: list) } ?? []
        let folders = try PlotCommand.analysedFolders(paths)
        guard !folders.isEmpty else { throw InputError("no analysis.h5 under \(paths.joined(separator: ", ")); run infoplane analyze first") }
        for folder in folders {
            try PlotCommand.plot(folder, results: results, plots: plots, wanted: wanted,
                                 relativeGradients: relativeGradients, output: output)
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

    static func plot(_ folder: String, results: String, plots: String, wanted: [FigureKind], relativeGradients: Bool = false,
                     output: OutputOptions) throws {
        let outcome = try PlotMaker().plot(resultsFolder: folder, resultsRoot: results, plotsRoot: plots, wanted: wanted,
                                           relativeGradients: relativeGradients)
        let svgs = outcome.files.filter { $0.hasSuffix(".svg") }.map { ($0 as NSString).lastPathComponent }
        if svgs.isEmpty {
            output.logger().notice("\(folder): no figure to draw (\(wanted.isEmpty ? "the analysis has nothing to plot" : "none of \(wanted.map(\.rawValue).joined(separator: ", ")) applies"))")
        } else if !output.quiet {
            let page = outcome.files.contains { $0.hasSuffix(".html") } ? "; information_plane.html (interactive)" : ""
            print("plotted  \(outcome.folder)/  \(svgs.joined(separator: ", "))\(outcome.files.contains { $0.hasSuffix(".png") } ? " (+ PNG)" : "")\(page)")
        }
        for note in outcome.notes { output.logger().notice("\(note)") }
    }
}
