import Analysis
import Configuration
import Foundation
import Plotting
import Recording
import SafeFiles

/// Draws an analysed folder's figures into `plots/<experiment>[/<variant>]/`:
/// information planes, the estimator comparison, gradient SNR, training curves,
/// I(X;T) and I(T;Y) against epoch. The analysis gives the means across runs; the first
/// run file gives the metrics and gradient statistics.
package struct PlotMaker {
    /// What to draw and how (``plot(resultsFolder:resultsRoot:plotsRoot:)``).
    package var wanted: [FigureKind]
    /// Divide the gradient norms by the weight norm (Saxe et al., Fig. 20 right).
    package var relativeGradients: Bool
    /// The main estimator (a label or its `--estimator` form); nil: the configured one.
    package var estimator: String?
    package var style: FigureStyle

    /// - Parameter wanted: the figures (`analysis.plots`); empty draws them all.
    package init(wanted: [FigureKind] = [], relativeGradients: Bool = false, estimator: String? = nil, style: FigureStyle = FigureStyle()) {
        self.wanted = wanted
        self.relativeGradients = relativeGradients
        self.estimator = estimator
        self.style = style
    }

    package struct Outcome: Sendable {
        package var folder: String
        package var files: [String]
        package var notes: [String]
    }

    /// - Parameters:
    ///   - resultsFolder: a folder with `analysis.h5` and run files.
    ///   - plotsRoot: where `<experiment>[/<variant>]/` is created.
    package func plot(resultsFolder: String, resultsRoot: String, plotsRoot: String) throws -> Outcome {
        let loaded = try Self.figures(resultsFolder, estimator: estimator)
        var figures = loaded.figures
        var notes = loaded.notes
        let analysis = figures.analysis
        let relative = Self.relativeFolder(resultsFolder, resultsRoot: resultsRoot, experiment: analysis.experiment)
        let folder = (plotsRoot as NSString).appendingPathComponent(relative)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let lock = try WriterLock(for: folder + "/")
        defer { withExtendedLifetime(lock) {} }
        figures.relativeGradients = relativeGradients
        figures.style = style
        var files: [String] = []
        for kind in FigureKind.allCases where wanted.isEmpty || wanted.contains(kind) {
            switch try figures.draw(kind) {
            case .figure(var svg):
                svg.apply(style)
                let (written, note) = try svg.write(to: folder, name: kind.rawValue)
                files += written
                if let note, !notes.contains(note) { notes.append(note) }
                if kind == .informationPlane {
                    // The interactive page beside the PNG (hover, layer toggles, epoch slider).
                    let page = (folder as NSString).appendingPathComponent("information_plane.html")
                    try AtomicFile.write(InteractivePlane.html(figures, style: style), to: page)
                    files.append(page)
                }
            case .skipped(let why):
                // Said when the figure was asked for by name, or always for gradient_snr (as before).
                if wanted.contains(kind) || (kind == .gradientSNR && figures.analysis.epochs.count > 1) { notes.append(why) }
            }
        }
        return Outcome(folder: folder, files: files, notes: notes)
    }

    /// The figures of an analysed folder: its analysis, its first run (which must exist
    /// and be of the same experiment) and the others that can be opened, with notes on
    /// what was left out or is stale.
    package static func figures(_ resultsFolder: String, estimator: String?) throws -> (figures: AnalysisFigures, notes: [String]) {
        let path = (resultsFolder as NSString).appendingPathComponent("analysis.h5")
        let analysis = try AnalysisFile.read(path)
        let runs = try analysis.runFiles()
        guard let first = runs.first else { throw AnalysisError(file: path, "the analysis names no run files") }
        guard FileManager.default.fileExists(atPath: first) else {
            throw AnalysisError(file: path, "its run file \(first) is missing (moved without the analysis?)")
        }
        let run = try RunFile.open(first)
        guard run.experiment == analysis.experiment else {
            throw AnalysisError(file: path, "is an analysis of experiment \"\(analysis.experiment)\" but names \(first), a run of \"\(run.experiment)\"")
        }
        var notes = Self.staleness(analysis, folder: resultsFolder)
        // The other runs, for the means over runs; a run that is gone is said, not fatal.
        var others: [RunFile] = []
        for path in runs.dropFirst() {
            do { others.append(try RunFile.open(path)) } catch { notes.append("\(path): left out of the means over runs (\(error))") }
        }
        return (try AnalysisFigures(analysis: analysis, run: run, others: others, estimator: estimator), notes)
    }

    /// What an analysis may be missing: run files in its folder it does not name, and runs
    /// modified after it was written (cheap checks: names and times, not digests).
    static func staleness(_ analysis: AnalysisFile.Contents, folder: String) -> [String] {
        let named = Set(analysis.runs.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        let present = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix("run-") && $0.hasSuffix(".h5") }.sorted()
        let unnamed = present.filter { !named.contains(URL(fileURLWithPath: (folder as NSString).appendingPathComponent($0)).standardizedFileURL.path) }
        func modified(_ path: String) -> Date? { (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date }
        let written = modified(analysis.path) ?? .distantFuture
        let newer = analysis.runs.filter { (modified($0) ?? .distantPast) > written }.map { ($0 as NSString).lastPathComponent }
        var notes: [String] = []
        if !unnamed.isEmpty {
            notes.append("\(analysis.path) does not include \(unnamed.joined(separator: ", ")) (drawn without them; infoplane analyze --force \(folder) includes them)")
        }
        if !newer.isEmpty {
            notes.append("\(newer.joined(separator: ", ")) changed after \(analysis.path) was written; the figures show the analysed state (infoplane analyze --force \(folder) to update)")
        }
        return notes
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
