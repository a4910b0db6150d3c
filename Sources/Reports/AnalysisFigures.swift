import Analysis
import Experiments
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
    /// The first run (metrics, gradient statistics, labels).
    package var run: RunFile
    /// log₂ n and H(Y) in bits: the axes' ceilings.
    package var hx: Double
    package var hy: Double
    package var relativeGradients = false

    package init(analysis: AnalysisFile.Contents, run: RunFile) throws {
        self.analysis = analysis
        self.run = run
        let labels = try run.labels()
        hx = log2(Double(max(labels.count, 1)))
        hy = Self.entropy(labels)
        let configured = (try? ExperimentLoader.parse(run.config, file: run.path))?.first?.config.analysis.estimators.flatMap(\.labels) ?? []
        mainLabel = configured.first(where: analysis.labels.contains)
            ?? analysis.labels.first(where: { $0.hasPrefix("binning") }) ?? analysis.labels.first
    }

    /// A drawn figure, or why there is none.
    package enum Result {
        case figure(SVG)
        case skipped(String)
    }

    package func draw(_ kind: FigureKind) throws -> Result {
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

    /// The experiment, its sweep variant (from the files, never from folder names) and the runs.
    var title: String {
        let variant = analysis.variant.map { " (\($0))" } ?? ""
        return "\(analysis.experiment)\(variant): \(analysis.runs.count) run\(analysis.runs.count == 1 ? "" : "s"), mean"
    }
    /// The runs' first configured estimator when the analysis has it (so that estimators
    /// added later with `analyze --estimator` do not change the main figures); otherwise
    /// binning first, the estimator the papers' planes use.
    package let mainLabel: String?
    var runName: String { (run.path as NSString).lastPathComponent }

    func plane(_ label: String) -> PlaneData? {
        guard let ixt = analysis.ixtMean[label], let ity = analysis.ityMean[label] else { return nil }
        return PlaneData(title: displayTitle(label), epochs: analysis.epochs, ixt: ixt, ity: ity, layerNames: analysis.layers)
    }

    /// The estimator of a label, from the `--estimator` form the analysis file records.
    func spec(_ label: String) -> EstimatorSpec? {
        guard let argument = analysis.arguments[label], !argument.isEmpty else { return nil }
        return (try? AnalysisConfig.estimators(sets: [], short: [argument]))?.first
    }

    /// "Binning, 30 bins on [−1, 1]" rather than `binning_intervals30` (the label itself for
    /// files that do not record their estimators).
    func displayTitle(_ label: String) -> String { spec(label)?.title(for: label) ?? label }

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
        return .figure(Figures.informationPlane([plane], hx: hx, hy: hy, title: title))
    }

    package func estimatorComparison() -> Result {
        guard analysis.labels.count > 1 else { return .skipped("estimator_comparison: the analysis has one estimator") }
        return .figure(Figures.informationPlane(orderedLabels.compactMap(plane), hx: hx, hy: hy, title: title, columns: 3, sharedX: false))
    }

    /// Every run at three moments: the initial epoch, the logged epoch nearest 400 (the
    /// 2017 figure's middle), the last.
    package func snapshots() -> Result {
        guard let label = mainLabel, let ixtRuns = analysis.ixtRuns[label], let ityRuns = analysis.ityRuns[label],
              !analysis.epochs.isEmpty else { return .skipped("snapshots: no per-run values") }
        let middle = analysis.epochs.indices.min { abs(analysis.epochs[$0] - 400) < abs(analysis.epochs[$1] - 400) } ?? 0
        let chosen = Array(Set([0, middle, analysis.epochs.count - 1])).sorted()
        return .figure(Figures.snapshots(epochs: analysis.epochs, ixt: ixtRuns, ity: ityRuns, layerNames: analysis.layers,
                                         chosen: chosen, hx: hx, hy: hy, title: "\(analysis.experiment): every run at three epochs (\(displayTitle(label)))"))
    }

    package func dpiViolations() -> Result {
        guard !analysis.dpi.isEmpty else { return .skipped("dpi_violations: no DPI table in the analysis") }
        let pairs = analysis.layers.indices.dropLast().map { "\(analysis.layers[$0]) → \(analysis.layers[$0 + 1])" }
        let panels = analysis.labels.compactMap { label -> (title: String, values: [[Double]], rows: [String])? in
            guard let table = analysis.dpi[label] else { return nil }
            return (displayTitle(label), pairs.indices.map { p in table.map { $0[p] } }, pairs)
        }
        return .figure(Figures.heatmaps(panels, columns: analysis.epochs.map { Double(max($0, 1)) }, columnLabel: "epoch", logColumns: true,
                                        colorTitle: "bits", title: "\(analysis.experiment): DPI violations of I(X;T), summed over runs"))
    }

    package func informationVsEpoch() -> Result {
        guard let label = analysis.labels.first, let ixt = analysis.ixtMean[label], let ity = analysis.ityMean[label] else {
            return .skipped("information_vs_epoch: no estimator in the analysis")
        }
        let epochs = analysis.epochs.map { Double(max($0, 1)) }
        func series(_ table: [[Double]]) -> [Figures.Series] {
            analysis.layers.indices.map { l in Figures.Series(name: analysis.layers[l], points: zip(epochs, table.map { $0[l] }).map { ($0, $1) }) }
        }
        return .figure(Figures.lines([("I(X;T), \(displayTitle(label))", "bits", series(ixt), []), ("I(T;Y), \(displayTitle(label))", "bits", series(ity), [])],
                                     xLabel: "epoch", logX: true, title: title))
    }

    package func trainingCurves() throws -> Result {
        let (epochs, metrics) = try run.metrics()
        let x = epochs.map { Double(max($0, 1)) }
        func series(_ name: String, _ key: String, dashed: Bool) -> Figures.Series {
            Figures.Series(name: name, points: zip(x, metrics[key] ?? []).map { ($0, $1) }, dashed: dashed)
        }
        return .figure(Figures.lines([("loss", "nats", [series("train", "train_loss", dashed: false), series("test", "test_loss", dashed: true)], []),
                                      ("accuracy", "fraction correct", [series("train", "train_accuracy", dashed: false),
                                                                        series("test", "test_accuracy", dashed: true)], [])],
                                     xLabel: "epoch", logX: true, rug: run.loggedEpochs.map { Double(max($0, 1)) },
                                     title: "\(analysis.experiment): training curves of \(runName) (ticks: logged epochs)"))
    }

    package func gradientSNR() throws -> Result {
        let (epochs, statistics) = try run.gradientStatistics()
        let x = epochs.map { Double(max($0, 1)) }
        var panels: [(title: String, yLabel: String, series: [Figures.Series], markers: [(Double, String)])] = []
        for (l, name) in analysis.layers.enumerated() {
            guard let s = statistics[name], let mean = s["mean_norm"], let std = s["std_norm"], let weights = s["weight_norm"],
                  std.contains(where: { $0 > 0 }) else { continue }
            let transition = analysis.transitions.indices.contains(l) ? analysis.transitions[l] : nil
            let markers = transition.map { [(Double(max($0, 1)), "transition")] } ?? []
            let scale = relativeGradients ? weights.map { $0 > 0 ? 1 / $0 : .nan } : mean.map { _ in 1.0 }
            panels.append((name, relativeGradients ? "gradient norm / weight norm" : "norm of the gradient", [
                Figures.Series(name: "mean", points: zip(x, zip(mean, scale).map(*)).map { ($0, $1) }),
                Figures.Series(name: "std", points: zip(x, zip(std, scale).map(*)).map { ($0, $1) }, dashed: true),
            ], markers))
        }
        guard !panels.isEmpty else { return .skipped("gradient_snr skipped: one minibatch per epoch (full batch) has no gradient noise") }
        return .figure(Figures.lines(panels, xLabel: "epoch", logX: true, logY: true,
                                     title: "\(analysis.experiment): gradient mean and standard deviation (\(runName))"))
    }

    /// H(Y) in bits of the labels' empirical distribution.
    package static func entropy(_ labels: [Int32]) -> Double {
        var counts: [Int32: Int] = [:]
        for label in labels { counts[label, default: 0] += 1 }
        let n = Double(labels.count)
        return -counts.values.reduce(0.0) { $0 + Double($1) / n * log2(Double($1) / n) }
    }
}
