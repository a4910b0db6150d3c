import Analysis
import Foundation
import Plotting
import Recording

/// Draws an analysed folder's figures into `plots/<experiment>[/<variant>]/`:
/// information planes, the estimator comparison, gradient SNR, training curves,
/// I(X;T) and I(T;Y) against epoch. The analysis gives the means across runs; the first
/// run file gives the metrics and gradient statistics.
public struct PlotMaker {
    public init() {}

    public struct Outcome: Sendable {
        public var folder: String
        public var files: [String]
        public var notes: [String]
    }

    /// - Parameters:
    ///   - resultsFolder: a folder with `analysis.h5` and run files.
    ///   - plotsRoot: where `<experiment>[/<variant>]/` is created.
    ///   - wanted: figure names (`analysis.plots`); empty draws them all.
    ///   - relativeGradients: divide the gradient norms by the weight norm (Saxe et al., Fig. 20 right).
    public func plot(resultsFolder: String, resultsRoot: String, plotsRoot: String, wanted: [String] = [],
                     relativeGradients: Bool = false) throws -> Outcome {
        let analysis = try AnalysisFile.read((resultsFolder as NSString).appendingPathComponent("analysis.h5"))
        let relative = resultsFolder.hasPrefix(resultsRoot + "/") ? String(resultsFolder.dropFirst(resultsRoot.count + 1)) : analysis.experiment
        let folder = (plotsRoot as NSString).appendingPathComponent(relative)
        let run = try RunFile.open(analysis.runs[0])
        let labels = try run.labels()
        let hx = log2(Double(labels.count))
        let hy = Self.entropy(labels)
        var files: [String] = [], notes: [String] = []
        func want(_ name: String) -> Bool { wanted.isEmpty || wanted.contains(name) }
        func save(_ svg: SVG, _ name: String) throws {
            let (written, note) = try svg.write(to: folder, name: name)
            files += written
            if let note, !notes.contains(note) { notes.append(note) }
        }
        let title = "\(analysis.experiment): \(analysis.runs.count) run\(analysis.runs.count == 1 ? "" : "s"), mean"
        if want("information_plane"), let label = analysis.labels.first(where: { $0.hasPrefix("binning") }) ?? analysis.labels.first {
            try save(Figures.informationPlane([plane(analysis, label)], hx: hx, hy: hy, title: title), "information_plane")
        }
        if want("estimator_comparison"), analysis.labels.count > 1 {
            try save(Figures.informationPlane(analysis.labels.map { plane(analysis, $0) }, hx: hx, hy: hy, title: title), "estimator_comparison")
        }
        if want("snapshots"), let label = analysis.labels.first(where: { $0.hasPrefix("binning") }) ?? analysis.labels.first,
           let ixtRuns = analysis.ixtRuns[label], let ityRuns = analysis.ityRuns[label], !analysis.epochs.isEmpty {
            // The initial epoch, the logged epoch nearest 400 (the 2017 figure's middle), the last.
            let middle = analysis.epochs.indices.min { abs(analysis.epochs[$0] - 400) < abs(analysis.epochs[$1] - 400) } ?? 0
            let chosen = Array(Set([0, middle, analysis.epochs.count - 1])).sorted()
            try save(Figures.snapshots(epochs: analysis.epochs, ixt: ixtRuns, ity: ityRuns, layerNames: analysis.layers,
                                       chosen: chosen, hx: hx, hy: hy, title: "\(analysis.experiment): every run at three epochs (\(label))"),
                     "snapshots")
        }
        if want("dpi_violations"), !analysis.dpi.isEmpty {
            let pairs = analysis.layers.indices.dropLast().map { "\(analysis.layers[$0]) → \(analysis.layers[$0 + 1])" }
            let panels = analysis.labels.compactMap { label -> (title: String, values: [[Double]], rows: [String])? in
                guard let table = analysis.dpi[label] else { return nil }
                return (label, pairs.indices.map { p in table.map { $0[p] } }, pairs)
            }
            try save(Figures.heatmaps(panels, columns: analysis.epochs.map { Double(max($0, 1)) }, columnLabel: "epoch", logColumns: true,
                                      colorTitle: "bits", title: "\(analysis.experiment): DPI violations of I(X;T), summed over runs"),
                     "dpi_violations")
        }
        if want("information_vs_epoch"), let label = analysis.labels.first {
            let epochs = analysis.epochs.map { Double(max($0, 1)) }
            func series(_ table: [[Double]]) -> [Figures.Series] {
                analysis.layers.indices.map { l in Figures.Series(name: analysis.layers[l], points: zip(epochs, table.map { $0[l] }).map { ($0, $1) }) }
            }
            try save(Figures.lines([("I(X;T), \(label)", "bits", series(analysis.ixtMean[label]!), []),
                                    ("I(T;Y), \(label)", "bits", series(analysis.ityMean[label]!), [])],
                                   xLabel: "epoch", logX: true, title: title), "information_vs_epoch")
        }
        if want("training_curves") {
            let (epochs, metrics) = try run.metrics()
            let x = epochs.map { Double(max($0, 1)) }
            func series(_ name: String, _ key: String, dashed: Bool) -> Figures.Series {
                Figures.Series(name: name, points: zip(x, metrics[key]!).map { ($0, $1) }, dashed: dashed)
            }
            try save(Figures.lines([("loss", "nats", [series("train", "train_loss", dashed: false), series("test", "test_loss", dashed: true)], []),
                                    ("accuracy", "fraction correct", [series("train", "train_accuracy", dashed: false), series("test", "test_accuracy", dashed: true)], [])],
                                   xLabel: "epoch", logX: true, rug: run.loggedEpochs.map { Double(max($0, 1)) },
                                   title: "\(analysis.experiment): training curves of \((run.path as NSString).lastPathComponent) (ticks: logged epochs)"), "training_curves")
        }
        if want("gradient_snr") {
            let (epochs, statistics) = try run.gradientStatistics()
            let x = epochs.map { Double(max($0, 1)) }
            var panels: [(title: String, yLabel: String, series: [Figures.Series], markers: [(Double, String)])] = []
            for (l, name) in analysis.layers.enumerated() {
                guard let s = statistics[name], s["std_norm"]!.contains(where: { $0 > 0 }) else { continue }
                let markers = analysis.transitions[l].map { [(Double(max($0, 1)), "transition")] } ?? []
                let scale = relativeGradients ? s["weight_norm"]!.map { $0 > 0 ? 1 / $0 : .nan } : s["mean_norm"]!.map { _ in 1.0 }
                panels.append((name, relativeGradients ? "gradient norm / weight norm" : "norm of the gradient", [
                    Figures.Series(name: "mean", points: zip(x, zip(s["mean_norm"]!, scale).map(*)).map { ($0, $1) }),
                    Figures.Series(name: "std", points: zip(x, zip(s["std_norm"]!, scale).map(*)).map { ($0, $1) }, dashed: true),
                ], markers))
            }
            if panels.isEmpty {
                notes.append("gradient_snr skipped: one minibatch per epoch (full batch) has no gradient noise")
            } else {
                try save(Figures.lines(panels, xLabel: "epoch", logX: true, logY: true,
                                       title: "\(analysis.experiment): gradient mean and standard deviation (\((run.path as NSString).lastPathComponent))"),
                         "gradient_snr")
            }
        }
        return Outcome(folder: folder, files: files, notes: notes)
    }

    package func plane(_ analysis: AnalysisFile.Contents, _ label: String) -> PlaneData {
        PlaneData(title: label, epochs: analysis.epochs, ixt: analysis.ixtMean[label]!, ity: analysis.ityMean[label]!, layerNames: analysis.layers)
    }

    package static func entropy(_ labels: [Int32]) -> Double {
        var counts: [Int32: Int] = [:]
        for label in labels { counts[label, default: 0] += 1 }
        let n = Double(labels.count)
        return -counts.values.reduce(0.0) { $0 + Double($1) / n * log2(Double($1) / n) }
    }
}
