import Analysis
import Experiments
import Foundation
import Plotting
import Recording

/// Draws an analysed folder's figures into `plots/<experiment>[/<variant>]/`:
/// information planes, the estimator comparison, gradient SNR, training curves,
/// I(X;T) and I(T;Y) against epoch. The analysis gives the means across runs; the first
/// run file gives the metrics and gradient statistics.
package struct PlotMaker {
    package init() {}

    package struct Outcome: Sendable {
        package var folder: String
        package var files: [String]
        package var notes: [String]
    }

    /// - Parameters:
    ///   - resultsFolder: a folder with `analysis.h5` and run files.
    ///   - plotsRoot: where `<experiment>[/<variant>]/` is created.
    ///   - wanted: the figures (`analysis.plots`); empty draws them all.
    ///   - relativeGradients: divide the gradient norms by the weight norm (Saxe et al., Fig. 20 right).
    package func plot(resultsFolder: String, resultsRoot: String, plotsRoot: String, wanted: [FigureKind] = [],
                     relativeGradients: Bool = false) throws -> Outcome {
        let analysis = try AnalysisFile.read((resultsFolder as NSString).appendingPathComponent("analysis.h5"))
        let relative = Self.relativeFolder(resultsFolder, resultsRoot: resultsRoot, experiment: analysis.experiment)
        let folder = (plotsRoot as NSString).appendingPathComponent(relative)
        guard let first = analysis.runs.first else {
            throw RunFileError(file: (resultsFolder as NSString).appendingPathComponent("analysis.h5"), "the analysis names no run files")
        }
        var figures = try AnalysisFigures(analysis: analysis, run: RunFile.open(first))
        figures.relativeGradients = relativeGradients
        var files: [String] = [], notes: [String] = []
        for kind in FigureKind.allCases where wanted.isEmpty || wanted.contains(kind) {
            switch try figures.draw(kind) {
            case .figure(let svg):
                let (written, note) = try svg.write(to: folder, name: kind.rawValue)
                files += written
                if let note, !notes.contains(note) { notes.append(note) }
            case .skipped(let why):
                // Said when the figure was asked for by name, or always for gradient_snr (as before).
                if wanted.contains(kind) || kind == .gradientSNR { notes.append(why) }
            }
        }
        return Outcome(folder: folder, files: files, notes: notes)
    }

    /// `<experiment>[/<variant>]` for a results folder: the part below the results root,
    /// or, for a folder elsewhere, the part from the experiment's folder on (so the
    /// variants of a sweep never share a plots folder); every component sanitised.
    package static func relativeFolder(_ folder: String, resultsRoot: String, experiment: String) -> String {
        let components = URL(fileURLWithPath: folder).standardizedFileURL.pathComponents
        let root = URL(fileURLWithPath: resultsRoot).standardizedFileURL.pathComponents
        var below: [String]
        if components.count > root.count, Array(components.prefix(root.count)) == root {
            below = Array(components.dropFirst(root.count))
        } else if let index = components.lastIndex(of: PathComponent.sanitized(experiment)) {
            below = Array(components[index...])
        } else {
            below = [experiment]
        }
        below = below.map(PathComponent.sanitized)
        return below.joined(separator: "/")
    }
}
