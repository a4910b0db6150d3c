import Analysis
import Configuration
import Foundation
import Information
import Plotting
import Recording

/// One function per figure of an analysed folder, each from the analysis file and the
/// first run file alone, so that each can be drawn and tested on its own. A function
/// returns nil with a note when its figure does not apply (no second estimator, a full
/// batch without gradient noise, no DPI table).
package struct AnalysisFigures {
    package var analysis: AnalysisFile.Contents
    /// The first run (labels, logged epochs).
    package var run: RunFile
    /// Every run of the analysis that could be opened, the first first: training curves
    /// and gradient statistics are their mean ± 1 s.d.
    package var runs: [RunFile]
    /// log₂ n and H(Y) in bits: the axes' ceilings.
    package var hx: Double
    package var hy: Double
    package var relativeGradients = false
    /// The planes' axis limits, type size and display size.
    package var style = FigureStyle()

    /// - Parameter estimator: the main estimator (`plot --estimator`): a label of the
    ///   analysis (`binning_intervals30`) or the form it was computed with
    ///   (`binning:bins=30`); nil: the configured one (``AnalysisFile/Contents/mainLabel(configuredIn:file:)``).
    package init(analysis: AnalysisFile.Contents, run: RunFile, others: [RunFile] = [], estimator: String? = nil) throws {
        self.analysis = analysis
        self.run = run
        self.runs = [run] + others
        let labels = try run.labels()
        hx = log2(Double(max(labels.count, 1)))
        hy = Self.entropy(labels)
        mainLabel = try estimator.map { try Self.label(named: $0, in: analysis) } ?? analysis.mainLabel(configuredIn: run.config, file: run.path)
    }

    /// The analysis' label for what a reader typed: the label itself, or the
    /// `--estimator` form it was computed with; a KDE form names its upper bound.
    package static func label(named name: String, in analysis: AnalysisFile.Contents) throws(ConfigError) -> String {
        if analysis.labels.contains(name) { return name }
        let matching = analysis.labels.filter { analysis.arguments[$0] == name }
        if let label = matching.first(where: { !$0.hasSuffix("_lower") }) ?? matching.first { return label }
        let known = analysis.labels.map { label in analysis.arguments[label].map { $0.isEmpty ? label : "\(label) (\($0))" } ?? label }
        let hint = nearest(name, in: analysis.labels + analysis.labels.compactMap { analysis.arguments[$0] }).map { " (did you mean \($0)?)" } ?? ""
        throw ConfigError(file: analysis.path, keyPath: "", "has no estimator \"\(name)\"\(hint); it has \(known.joined(separator: ", "))")
    }

    /// A drawn figure, or why there is none.
    package enum Result {
        case figure(SVG)
        case skipped(String)
    }

    package func draw(_ kind: FigureKind) throws -> Result {
        // A recorded model (`infoplane record`) has one state: nothing changes over epochs.
        if analysis.epochs.count < 2, [.snapshots, .informationVsEpoch, .trainingCurves, .gradientSNR].contains(kind) {
            return .skipped("\(kind.rawValue): the runs have one logged epoch (a model recorded as it is); nothing to draw over epochs")
        }
        switch kind {
        case .informationPlane: return informationPlane()
        case .estimatorComparison: return estimatorComparison()
        case .snapshots: return snapshots()
        case .dpiViolations: return dpiViolations()
        case .informationVsEpoch: return informationVsEpoch()
        case .trainingCurves: return try trainingCurves()
        case .gradientSNR: return try gradientSNR()
        }
    }

    /// The experiment, its sweep variant (from the files, never from folder names) and the
    /// runs, for the figures that draw ±1 s.d. bars at the last epoch (the planes).
    var title: String {
        analysis.runs.count == 1 ? runsTitle : runsTitle + " (bars: ±1 s.d. at the last epoch)"
    }
    /// The same without the bars, for figures that draw bands or nothing.
    var runsTitle: String {
        analysis.runs.count == 1 ? "\(name): 1 run" : "\(name): mean of \(analysis.runs.count) runs"
    }
    /// The experiment and its sweep variant, e.g. "tishby2017 (data.train_fraction=0.05)".
    var name: String { analysis.experiment + (analysis.variant.map { " (\($0))" } ?? "") }
    /// The estimator of the main figures (information_plane, snapshots,
    /// information_vs_epoch, the HTML page's first choice), named in each.
    package let mainLabel: String?
    var runName: String { (run.path as NSString).lastPathComponent }

    func plane(_ label: String) -> PlaneData? {
        guard let ixt = analysis.ixtMean[label], let ity = analysis.ityMean[label] else { return nil }
        var data = PlaneData(title: displayTitle(label), epochs: analysis.epochs, ixt: ixt, ity: ity, layerNames: analysis.layers)
        // ±1 s.d. over runs at the last epoch, per layer, when there are several runs.
        if analysis.runs.count > 1, let ixtRuns = analysis.ixtRuns[label], let ityRuns = analysis.ityRuns[label],
           let sx = RepeatStatistics(ixtRuns, resamples: 0).std.last, let sy = RepeatStatistics(ityRuns, resamples: 0).std.last {
            data.finalSpread = Array(zip(sx, sy))
        }
        return data
    }

    /// The estimator of a label, from the `--estimator` form the analysis file records.
    func spec(_ label: String) -> EstimatorSpec? { analysis.spec(label) }

    /// "Binning, 30 bins on [−1, 1]" rather than `binning_intervals30`.
    func displayTitle(_ label: String) -> String { analysis.displayTitle(label) }

    /// The labels in a reader's order: binning (finer last), adaptive binning, KDE (by σ²,
    /// upper bound before lower), k-NN; file order for labels without a recorded estimator.
    var orderedLabels: [String] {
        func key(_ label: String) -> (Int, Double, Int) {
            switch spec(label) {
            case .binning(let binning, _)?:
                switch binning {
                case .intervals(let n), .edges(let n): return (0, Double(n), 0)
                case .width(let w): return (0, 1 / w, 0)
                }
            case .adaptive(let bins)?: return (1, Double(bins), 0)
            case .kde(let variance, _, _)?: return (2, variance, label.hasSuffix("_lower") ? 1 : 0)
            case .knn(let k)?: return (3, Double(k), 0)
            case .ksg(let k)?: return (3, Double(k), 1)
            case .renyi(let alpha, _, _)?: return (3, alpha, 2)
            case nil: return (4, 0, 0)
            }
        }
        return analysis.labels.enumerated().sorted { a, b in
            let (x, y) = (key(a.element), key(b.element))
            return x != y ? x < y : a.offset < b.offset
        }.map(\.element)
    }

    package func informationPlane() -> Result {
        guard let label = mainLabel, let plane = plane(label) else { return .skipped("information_plane: no estimator in the analysis") }
        return .figure(Figures.informationPlane([plane], hx: hx, hy: hy, title: title, style: style))
    }

    package func estimatorComparison() -> Result {
        guard analysis.labels.count > 1 else { return .skipped("estimator_comparison: the analysis has one estimator") }
        return .figure(Figures.informationPlane(orderedLabels.compactMap(plane), hx: hx, hy: hy, title: title, columns: 3, sharedX: false,
                                                style: style))
    }

    /// Every run at three moments: the initial epoch, the logged epoch nearest 400 (the
    /// 2017 figure's middle), the last.
    package func snapshots() -> Result {
        guard let label = mainLabel, let ixtRuns = analysis.ixtRuns[label], let ityRuns = analysis.ityRuns[label],
              !analysis.epochs.isEmpty else { return .skipped("snapshots: no per-run values") }
        let middle = analysis.epochs.indices.min { abs(analysis.epochs[$0] - 400) < abs(analysis.epochs[$1] - 400) } ?? 0
        let chosen = Array(Set([0, middle, analysis.epochs.count - 1])).sorted()
        return .figure(Figures.snapshots(epochs: analysis.epochs, ixt: ixtRuns, ity: ityRuns, layerNames: analysis.layers,
                                         chosen: chosen, hx: hx, hy: hy, title: "\(name): every run at three epochs (\(displayTitle(label)))",
                                         style: style))
    }

    package func dpiViolations() -> Result {
        guard !analysis.dpi.isEmpty else { return .skipped("dpi_violations: no DPI table in the analysis") }
        let pairs = analysis.pairs.map { "\(analysis.layers[$0.earlier]) → \(analysis.layers[$0.later])" }
        let panels = orderedLabels.compactMap { label -> (title: String, values: [[Double]], rows: [String])? in
            guard let table = analysis.dpi[label] else { return nil }
            return (displayTitle(label), pairs.indices.map { p in table.map { $0[p] } }, pairs)
        }
        return .figure(Figures.heatmaps(panels, columns: analysis.epochs.map { Double(max($0, 1)) }, columnLabel: "epoch", logColumns: true,
                                        colorTitle: "bits", title: "\(name): DPI violations of I(X;T), summed over \(analysis.runs.count) runs",
                                        zeroNote: "no violations"))
    }

    package func informationVsEpoch() -> Result {
        guard let label = mainLabel, let ixt = analysis.ixtMean[label], let ity = analysis.ityMean[label] else {
            return .skipped("information_vs_epoch: no estimator in the analysis")
        }
        let epochs = analysis.epochs.map { Double(max($0, 1)) }
        // Per run `[run][epoch][layer]`: the band is mean ± 1 s.d. across runs.
        func series(_ table: [[Double]], _ perRun: [[[Double]]]?) -> [Figures.Series] {
            let sd = perRun.flatMap { $0.count > 1 ? RepeatStatistics($0, resamples: 0).std : nil }
            return analysis.layers.indices.map { l in
                Figures.Series(name: analysis.layers[l], points: zip(epochs, table.map { $0[l] }).map { ($0, $1) },
                               band: sd.map { sd in epochs.indices.map { e in (epochs[e], table[e][l] - sd[e][l], table[e][l] + sd[e][l]) } } ?? [])
            }
        }
        let spread = analysis.runs.count > 1 ? ", band: ±1 s.d. over runs" : ""
        return .figure(Figures.lines([("I(X;T), \(displayTitle(label))", "bits", series(ixt, analysis.ixtRuns[label]), []),
                                      ("I(T;Y), \(analysis.displayTitleOfITY(label))", "bits", series(ity, analysis.ityRuns[label]), [])],
                                     xLabel: "epoch", logX: true, title: runsTitle + spread))
    }

    package func trainingCurves() throws -> Result {
        let (epochs, _) = try run.metrics()
        let all = try runs.map { try $0.metrics().values }
        let x = epochs.map { Double(max($0, 1)) }
        func series(_ name: String, _ key: String, dashed: Bool) -> Figures.Series {
            Self.meanSeries(name, x: x, runs: all.compactMap { $0[key] }, dashed: dashed)
        }
        return .figure(Figures.lines([("loss", "nats", [series("train", "train_loss", dashed: false), series("test", "test_loss", dashed: true)], []),
                                      ("accuracy", "fraction correct", [series("train", "train_accuracy", dashed: false),
                                                                        series("test", "test_accuracy", dashed: true)], [])],
                                     xLabel: "epoch", logX: true, rug: run.loggedEpochs.map { Double(max($0, 1)) },
                                     title: "\(name): training curves, \(runsPhrase) (ticks: logged epochs)"))
    }

    package func gradientSNR() throws -> Result {
        let (epochs, _) = try run.gradientStatistics()
        let all = try runs.map { try $0.gradientStatistics().layers }
        let x = epochs.map { Double(max($0, 1)) }
        var panels: [(title: String, yLabel: String, series: [Figures.Series], markers: [(Double, String)])] = []
        for (l, name) in analysis.layers.enumerated() {
            // Per run: the norm of the mean gradient and the norm of its s.d. (optionally over
            // the weight norm); the lines are their means over runs, the bands ±1 s.d.
            func scaled(_ key: String) -> [[Double]] {
                all.compactMap { statistics -> [Double]? in
                    guard let s = statistics[name], let values = s[key], let weights = s["weight_norm"] else { return nil }
                    return relativeGradients ? zip(values, weights).map { $1 > 0 ? $0 / $1 : .nan } : values
                }
            }
            let std = Self.meanSeries("std", x: x, runs: scaled("std_norm"), dashed: true)
            guard std.points.contains(where: { $0.1 > 0 }) else { continue }
            let transition = analysis.transitions.indices.contains(l) ? analysis.transitions[l] : nil
            let markers = transition.map { [(max($0, 1), "transition")] } ?? []
            panels.append((name, relativeGradients ? "gradient norm / weight norm" : "norm of the gradient",
                           [Self.meanSeries("mean", x: x, runs: scaled("mean_norm")), std], markers))
        }
        guard !panels.isEmpty else { return .skipped("gradient_snr skipped: one minibatch per epoch (full batch) has no gradient noise") }
        return .figure(Figures.lines(panels, xLabel: "epoch", logX: true, logY: true,
                                     title: "\(name): gradient mean and standard deviation, \(runsPhrase)"))
    }

    /// "run-1.h5" for one run, "mean ± 1 s.d. of 4 runs" for several.
    var runsPhrase: String { runs.count > 1 ? "mean ± 1 s.d. of \(runs.count) runs" : runName }

    /// Element-wise mean and mean ± 1 s.d. over 1-D series (runs' metrics or gradient
    /// norms) of possibly unequal length (the shortest decides); non-finite values are left
    /// out of each element. Tables `[run][epoch][layer]` use ``RepeatStatistics``.
    static func spread(_ series: [[Double]]) -> (mean: [Double], low: [Double], high: [Double]) {
        let length = series.map(\.count).min() ?? 0
        var mean = [Double](), low = [Double](), high = [Double]()
        for i in 0..<length {
            guard let (m, sd) = meanAndSD(series.map { $0[i] }) else { mean.append(.nan); low.append(.nan); high.append(.nan); continue }
            mean.append(m); low.append(m - sd); high.append(m + sd)
        }
        return (mean, low, high)
    }

    /// The mean and the standard deviation (ddof 1; 0 for one value) of the finite values; nil when there are none.
    static func meanAndSD(_ values: [Double]) -> (mean: Double, sd: Double)? {
        let finite = values.filter(\.isFinite)
        guard !finite.isEmpty else { return nil }
        let m = finite.reduce(0, +) / Double(finite.count)
        let sd = finite.count > 1 ? (finite.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(finite.count - 1)).squareRoot() : 0
        return (m, sd)
    }

    /// One line of a figure over epochs `x`: the mean of the runs' series, with a band of
    /// ±1 s.d. when there are several runs (``spread(_:)``).
    static func meanSeries(_ name: String, x: [Double], runs: [[Double]], dashed: Bool = false) -> Figures.Series {
        let s = spread(runs)
        let n = min(x.count, s.mean.count)
        return Figures.Series(name: name, points: (0..<n).map { (x[$0], s.mean[$0]) }, dashed: dashed,
                              band: runs.count > 1 ? (0..<n).map { (x[$0], s.low[$0], s.high[$0]) } : [])
    }

    /// H(Y) in bits of the labels' empirical distribution.
    package static func entropy(_ labels: [Int32]) -> Double {
        var counts: [Int32: Int] = [:]
        for label in labels { counts[label, default: 0] += 1 }
        let n = Double(labels.count)
        return -counts.values.reduce(0.0) { $0 + Double($1) / n * log2(Double($1) / n) }
    }
}
