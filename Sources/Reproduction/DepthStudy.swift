import Analysis
import Attribution
import Foundation
import Plotting

/// Shwartz-Ziv & Tishby 2017, Fig. 5 (the lecture's "benefit of the hidden layers"): the
/// same task learned by networks of 1 to 6 hidden layers (widths 12, 10, 7, 5, 4, 3, in
/// that order, cut after the depth), on 80% of var_u.
///
/// Measured per depth on the mean curves over runs (the analysis's first estimator), on
/// all 4096 patterns: the first logged epoch at which I(T;Y) of the 2-unit output layer
/// reaches `fraction` · H(Y) ("good generalisation"; the last hidden layer of the shallow
/// networks is as wide as the input, so its binned I(T;Y) is H(Y) from the first epoch);
/// on the last hidden layer, the epoch of the I(X;T) peak (compression starts); the compressed information (peak − final I(X;T), bits) and the time to
/// compress (epochs from the peak until I(X;T) is within 10% of that drop of its final
/// value); the final test accuracy, mean over runs.
///
/// Verdicts, with Spearman's ρ over the depths: "more hidden layers reach good
/// generalisation in fewer epochs" holds when ρ(depth, epoch to the fraction) ≤ −0.6;
/// "the time to compress grows with the compressed information" holds when ρ(compressed
/// bits, time to compress) ≥ 0.6 over the depths that compress (at least 3 of them).
package struct DepthStudy: Sendable {
    package struct Row: Sendable {
        package var depth: Int
        package var widths: [Int]
        package var runs: Int
        /// The last hidden layer (compression is measured there).
        package var layer: String
        /// When the output layer's I(T;Y) first reaches the fraction of H(Y).
        package var epochToFraction: Int?
        package var peakEpoch: Int
        package var compressedBits: Double
        package var compressionEpochs: Int?
        package var testAccuracy: Double
    }

    package var rows: [Row]
    package var fraction: Double
    package var hy: Double
    /// Per depth: the output layer's I(T;Y) and the last hidden layer's I(X;T).
    var curves: [(depth: Int, epochs: [Int], ity: [Double], ixt: [Double])]

    package static let widths = [12, 10, 7, 5, 4, 3]

    package static func evaluate(_ studies: [(depth: Int, analysis: AnalysisFile.Contents, testAccuracy: Double)],
                                 hy: Double, fraction: Double = 0.9) -> DepthStudy {
        var study = DepthStudy(rows: [], fraction: fraction, hy: hy, curves: [])
        for (depth, analysis, accuracy) in studies {
            guard let label = analysis.labels.first, let ixtMean = analysis.ixtMean[label], let ityMean = analysis.ityMean[label],
                  analysis.layers.count >= 2 else { continue }
            let last = analysis.layers.count - 2
            let ixt = ixtMean.map { $0[last] }, ity = ityMean.map { $0[last + 1] }
            let reached = ity.firstIndex { $0 >= fraction * hy }.map { analysis.epochs[$0] }
            let peak = ixt.indices.max { ixt[$0] < ixt[$1] } ?? 0
            let drop = ixt[peak] - (ixt.last ?? 0)
            var settled: Int?
            if drop > 0.01, let final = ixt.last {
                settled = (peak..<ixt.count).first { ixt[$0] - final <= 0.1 * drop }.map { analysis.epochs[$0] - analysis.epochs[peak] }
            }
            study.rows.append(Row(depth: depth, widths: Array(widths.prefix(depth)), runs: analysis.runs.count, layer: analysis.layers[last],
                                  epochToFraction: reached, peakEpoch: analysis.epochs[peak], compressedBits: drop,
                                  compressionEpochs: settled, testAccuracy: accuracy))
            study.curves.append((depth, analysis.epochs, ity, ixt))
        }
        return study
    }

    /// Spearman's ρ (Attribution's, ties averaged); nil for fewer than 3 pairs or a constant side.
    static func rankCorrelation(_ a: [Double], _ b: [Double]) -> Double? {
        guard a.count == b.count, a.count >= 3 else { return nil }
        let rho = spearman(a.map(Float.init), b.map(Float.init))
        return rho.isFinite ? rho : nil
    }

    /// ρ(depth, epochs to the fraction of H(Y)); a depth that never reaches it counts as the run's length.
    package var generalisationRho: Double? {
        let last = curves.map { $0.epochs.last ?? 0 }.max() ?? 0
        return Self.rankCorrelation(rows.map { Double($0.depth) }, rows.map { Double($0.epochToFraction ?? last + 1) })
    }

    /// ρ(compressed bits, epochs to compress) over the depths that compress.
    package var compressionRho: Double? {
        let compressing = rows.filter { $0.compressionEpochs != nil }
        return Self.rankCorrelation(compressing.map(\.compressedBits), compressing.map { Double($0.compressionEpochs ?? 0) })
    }

    package var report: String {
        var lines = [String(format: "Depth (2017, Fig. 5), mean over runs on all 4096 patterns; good generalisation = I(T;Y) of the output layer ≥ %.0f%% of H(Y) = %.3f bits; compression of the last hidden layer:", fraction * 100, fraction * hy)]
        for row in rows {
            let reached = row.epochToFraction.map { "epoch \($0)" } ?? "no epoch"
            let settled = row.compressionEpochs.map { "\($0) epochs" } ?? "–"
            lines.append(String(format: "  %d hidden (%@): %d runs, generalises at %@; %@'s I(X;T) peaks at epoch %d, compresses %.3f bits in %@; test accuracy %.3f",
                                row.depth, row.widths.map(String.init).joined(separator: "-"), row.runs, reached, row.layer, row.peakEpoch,
                                row.compressedBits, settled, row.testAccuracy))
        }
        if let rho = generalisationRho {
            lines.append((rho <= -0.6 ? "holds        " : "does not hold") + String(format: " more hidden layers reach good generalisation in fewer epochs (Spearman ρ(depth, epoch) = %.2f)", rho))
        } else {
            lines.append("not judged    more hidden layers reach good generalisation in fewer epochs: no depth, or every depth, reaches it at the same epoch")
        }
        if let rho = compressionRho {
            lines.append((rho >= 0.6 ? "holds        " : "does not hold") + String(format: " the time to compress grows with the compressed information (ρ = %.2f over %d compressing depths)", rho, rows.filter { $0.compressionEpochs != nil }.count))
        } else {
            lines.append("not judged    the time to compress against the compressed information: fewer than 3 depths compress")
        }
        return lines.joined(separator: "\n")
    }

    package func figures() -> [(name: String, svg: SVG)] {
        guard !curves.isEmpty else { return [] }
        func series(_ pick: ((depth: Int, epochs: [Int], ity: [Double], ixt: [Double])) -> [Double]) -> [Figures.Series] {
            curves.map { .init(name: "\($0.depth) hidden", points: Array(zip($0.epochs.map { Double(max($0, 1)) }, pick($0)))) }
        }
        let svg = Figures.lines([(title: "I(T;Y) of the output layer", yLabel: "bits", series: series(\.ity), markers: []),
                                 (title: "I(X;T) of the last hidden layer", yLabel: "bits", series: series(\.ixt), markers: [])],
                                xLabel: "epoch", logX: true, title: "Depth (2017, Fig. 5): 1 to 6 hidden layers on 80% of var_u, mean over runs")
        return [("depth_last_hidden", svg)]
    }
}
