import Analysis
import Foundation
import Plotting
import Recording

extension Comparison {
    /// Training and test accuracy and loss, one line per variant: the mean over its runs,
    /// the band ±1 s.d. (variants of one run have no band).
    package func trainingCurves() throws -> SVG {
        var metrics: [(name: String, epochs: [Double], runs: [[String: [Double]]])] = []
        for v in variants {
            let (epochs, _) = try v.figures.run.metrics()
            metrics.append((v.name, epochs.map { Double(max($0, 1)) }, try v.figures.runs.map { try $0.metrics().values }))
        }
        func series(_ key: String) -> [Figures.Series] {
            metrics.map { AnalysisFigures.meanSeries($0.name, x: $0.epochs, runs: $0.runs.compactMap { $0[key] }) }
        }
        return Figures.lines([("test accuracy", "fraction correct", series("test_accuracy"), []),
                              ("train accuracy", "fraction correct", series("train_accuracy"), []),
                              ("test loss", "nats", series("test_loss"), []),
                              ("train loss", "nats", series("train_loss"), [])],
                             xLabel: "epoch", logX: true, title: "Training curves: mean over each variant's runs, band ±1 s.d.")
    }

    /// Per shared layer, the gradient's signal-to-noise ratio (norm of the mean over the
    /// norm of the standard deviation over minibatches, Shwartz-Ziv & Tishby 2017, Fig. 4),
    /// one line per variant with ±1 s.d. over its runs; nil when no variant has minibatch
    /// noise (full batches) or no layer is shared.
    package func gradientSNR() throws -> SVG? {
        var panels: [(title: String, yLabel: String, series: [Figures.Series], markers: [(Double, String)])] = []
        var statistics: [(epochs: [Double], runs: [[String: [String: [Double]]]])] = []
        for v in variants {
            let (epochs, _) = try v.figures.run.gradientStatistics()
            statistics.append((epochs.map { Double(max($0, 1)) }, try v.figures.runs.map { try $0.gradientStatistics().layers }))
        }
        for layer in layers {
            let series = zip(variants, statistics).compactMap { v, s -> Figures.Series? in
                let ratios = s.runs.compactMap { run -> [Double]? in
                    guard let g = run[layer], let mean = g["mean_norm"], let sd = g["std_norm"], sd.contains(where: { $0 > 0 }) else { return nil }
                    return zip(mean, sd).map { $1 > 0 ? $0 / $1 : .nan }
                }
                return ratios.isEmpty ? nil : AnalysisFigures.meanSeries(v.name, x: s.epochs, runs: ratios)
            }
            if !series.isEmpty { panels.append((layer, "gradient SNR", series, [])) }
        }
        guard !panels.isEmpty else { return nil }
        return Figures.lines(panels, xLabel: "epoch", logX: true, logY: true,
                             title: "Gradient SNR (‖mean‖ / ‖s.d.‖ over minibatches): mean over each variant's runs, band ±1 s.d.")
    }
}
