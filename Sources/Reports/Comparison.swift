import Analysis
import Diagnostics
import Foundation
import Information
import Plotting
import Recording

/// Sweep variants and experiments side by side (`infoplane compare`, and `run` on a
/// config with a sweep): their information planes in a grid with shared, stated axes,
/// chosen layers' trajectories overlaid, training curves and gradient SNR overlaid with
/// ±1 s.d. bands over each variant's runs, and a table of final numbers. Each variant is
/// one analysed folder (its analysis file and run files), drawn with its main estimator.
package struct Comparison {
    /// One analysed folder.
    package struct Variant {
        /// What the figures call it: the sweep values, or the experiment (and values) when
        /// several experiments are compared; unique within the comparison.
        package var name: String
        package var folder: String
        package var figures: AnalysisFigures
        package var label: String
        var analysis: AnalysisFile.Contents { figures.analysis }
    }

    package var variants: [Variant]
    /// Layers drawn in the trajectory and gradient figures (in the first variant's order).
    package var layers: [String]
    package var style: FigureStyle
    /// What a reader should know: variants drawn with another estimator, layers not shared.
    package var notes: [String] = []
    /// log₂ n and H(Y), the largest over the variants: the shared axes' ceilings.
    var hx: Double { variants.map(\.figures.hx).max() ?? 0 }
    var hy: Double { variants.map(\.figures.hy).max() ?? 0 }

    /// - Parameters:
    ///   - folders: analysed folders, at least two.
    ///   - estimator: the estimator every variant is drawn with (each variant's main one when nil).
    ///   - layers: the layers whose trajectories are overlaid (all the variants share when nil).
    package init(folders: [String], estimator: String?, layers wanted: [String]?, style: FigureStyle = FigureStyle()) throws {
        guard folders.count >= 2 else {
            throw ReportError("compare needs at least two analysed folders (sweep variants or experiments), got \(folders.count)")
        }
        var variants: [Variant] = []
        for folder in folders {
            let (figures, notes) = try PlotMaker.figures(folder, estimator: estimator)
            self.notes += notes
            guard let label = figures.mainLabel else {
                throw ReportError("\(folder)/analysis.h5 holds no estimator to compare (infoplane analyze \(folder) --estimator binning:bins=30)")
            }
            variants.append(Variant(name: "", folder: folder, figures: figures, label: label))
        }
        let experiments = Set(variants.map(\.analysis.experiment))
        for i in variants.indices {
            let a = variants[i].analysis
            variants[i].name = experiments.count > 1 ? a.experiment + (a.variant.map { " (\($0))" } ?? "") : a.variant ?? a.experiment
        }
        // Names the files do not tell apart (repeats of one variant in two folders) get their folder.
        for (name, count) in Dictionary(variants.map { ($0.name, 1) }, uniquingKeysWith: +) where count > 1 {
            for i in variants.indices where variants[i].name == name { variants[i].name += " [\(variants[i].folder)]" }
        }
        let labels = Set(variants.map(\.label))
        if labels.count > 1 {
            notes.append("the variants' main estimators differ (\(variants.map { "\($0.name): \($0.label)" }.joined(separator: "; "))); pass --estimator to draw them all with one")
        }
        let shared = variants.dropFirst().reduce(variants[0].analysis.layers) { common, v in common.filter(v.analysis.layers.contains) }
        if let wanted {
            for layer in wanted where !shared.contains(layer) {
                let missing = variants.filter { !$0.analysis.layers.contains(layer) }.map(\.name)
                throw ReportError("layer \"\(layer)\" is not in \(missing.joined(separator: ", ")); the variants share \(shared.isEmpty ? "no layer" : shared.joined(separator: ", "))")
            }
        }
        self.variants = variants
        self.layers = wanted ?? shared
        self.style = style
        if wanted == nil && shared.isEmpty { notes.append("the variants share no layer name: trajectories and gradient SNR are not overlaid") }
    }

    /// The folder name of a comparison written without a chosen place: its experiments'
    /// names, `quick-vs-tishby2017` (a sweep's one name for its variants), sanitised. Without
    /// `=`, it never meets a sweep variant's folder of an experiment called "compare".
    package var defaultFolderName: String {
        var names: [String] = []
        for v in variants where !names.contains(v.analysis.experiment) { names.append(v.analysis.experiment) }
        return PathComponent.sanitized(names.joined(separator: "-vs-"))
    }

    /// The shared axes of the planes: 0 to the largest ceiling or value (or the style's).
    package var axes: (ixt: (Double, Double), ity: (Double, Double)) {
        let ixt = variants.flatMap { v in v.analysis.ixtMean[v.label]?.flatMap { $0 } ?? [] }
        let ity = variants.flatMap { v in v.analysis.ityMean[v.label]?.flatMap { $0 } ?? [] }
        return (FigureStyle.domain(style.x, values: ixt, ceiling: hx, headroom: 0.02), FigureStyle.domain(style.y, values: ity, ceiling: hy, headroom: 0.04))
    }

    /// Every variant's information plane in a grid, on one pair of axes stated in the title.
    package func planes() -> SVG {
        let panels = variants.compactMap { v -> PlaneData? in
            guard var plane = v.figures.plane(v.label) else { return nil }
            plane.title = v.name
            return plane
        }
        let (x, y) = axes
        let estimators = Set(variants.map { $0.analysis.displayTitle($0.label) })
        let estimator = estimators.count == 1 ? estimators.first! : "each variant's main estimator"
        return Figures.informationPlane(panels, hx: hx, hy: hy, title: "\(estimator); shared axes I(X;T) \(FigureStyle.describe(x)) bits, I(T;Y) \(FigureStyle.describe(y)) bits",
                                        columns: 3, sharedX: true, style: FigureStyle(x: .fixed(x.0, x.1), y: .fixed(y.0, y.1)))
    }

    /// One panel per chosen layer: each variant's path through the plane over training
    /// (ring: first logged epoch, dot: last).
    package func trajectories() -> SVG? {
        guard !layers.isEmpty else { return nil }
        let panels = layers.map { layer -> (title: String, yLabel: String, series: [Figures.Series], markers: [(Double, String)]) in
            let series = variants.compactMap { v -> Figures.Series? in
                guard let l = v.analysis.layers.firstIndex(of: layer), let ixt = v.analysis.ixtMean[v.label], let ity = v.analysis.ityMean[v.label] else { return nil }
                return Figures.Series(name: v.name, points: zip(ixt, ity).map { ($0[l], $1[l]) }, markEnds: true)
            }
            return (layer, "I(T;Y) in bits", series, [])
        }
        return Figures.lines(panels, xLabel: "I(X;T) in bits", logX: false,
                             title: "Layers' paths in the information plane (ring: first logged epoch, dot: last; means over runs)")
    }
}

/// A comparison that cannot be drawn as asked (too few folders, a layer not shared, …).
package struct ReportError: LabError {
    package var description: String
    package var failure: FailureKind { .input }
    package init(_ description: String) { self.description = description }
}
