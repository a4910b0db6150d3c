import Analysis
import Foundation
import Plotting

/// Shwartz-Ziv & Tishby 2017, Fig. 3: the same network trained on a small, a middle and
/// a large share of var_u. With little data the network overfits, and I(T;Y) of the last
/// hidden layer, measured on all 4096 patterns, rises and then falls late in training;
/// with most of the data it stays at its peak.
///
/// The verdict: the claim holds when the late drop (peak − final I(T;Y), bits, mean over
/// runs, the first estimator of the analyses) exceeds 0.05 bits with the smallest share
/// and is more than twice the drop with the largest.
package struct TrainingSetSizeStudy: Sendable {
    package struct Row: Sendable {
        /// The share of var_u trained on.
        package var fraction: Double
        package var runs: Int
        package var peak: Double
        package var final: Double
        package var drop: Double { peak - final }
    }

    package var rows: [Row]
    /// The last hidden layer's name.
    package var layer: String
    package var planes: [PlaneData]
    package var ity: [Figures.Series]
    package var ixt: [Figures.Series]

    /// Reads one analysis per training fraction (ascending) and measures the study.
    package static func evaluate(_ analyses: [(fraction: Double, analysis: AnalysisFile.Contents)]) -> TrainingSetSizeStudy {
        var study = TrainingSetSizeStudy(rows: [], layer: "", planes: [], ity: [], ixt: [])
        for (fraction, analysis) in analyses {
            guard let label = analysis.labels.first, let ity = analysis.ityMean[label], let ixt = analysis.ixtMean[label],
                  let last = analysis.layers.indices.dropLast().last else { continue }
            let column = ity.map { $0[last] }
            study.rows.append(Row(fraction: fraction, runs: analysis.runs.count, peak: column.max() ?? 0, final: column.last ?? 0))
            let name = String(format: "%.0f%% of the data", fraction * 100)
            study.planes.append(PlaneData(title: "\(name): \(analysis.runs.count) runs", epochs: analysis.epochs, ixt: ixt, ity: ity,
                                          layerNames: analysis.layers))
            let epochs = analysis.epochs.map { Double(max($0, 1)) }
            study.ity.append(.init(name: name, points: Array(zip(epochs, column))))
            study.ixt.append(.init(name: name, points: Array(zip(epochs, ixt.map { $0[last] }))))
            study.layer = analysis.layers[last]
        }
        return study
    }

    /// Whether the paper's statement holds here (nil without a small and a large share).
    package var holds: Bool? {
        guard let small = rows.first, let large = rows.last, rows.count > 1 else { return nil }
        return small.drop > 0.05 && small.drop > 2 * large.drop
    }

    /// The measured table and the verdict, as `reproduce` prints them.
    package var report: String {
        var lines = ["Training-set size (2017, Fig. 3), I(T;Y) of the last hidden layer on all 4096 patterns, mean over runs:"]
        for row in rows {
            lines.append(String(format: "  %3.0f%% of the data: peak %.3f bits, final %.3f bits, late drop %.3f",
                                row.fraction * 100, row.peak, row.final, row.drop))
        }
        if let holds, let small = rows.first, let large = rows.last {
            lines.append("\(holds ? "holds        " : "does not hold") with \(Int(small.fraction * 100))% of the data I(T;Y) drops late (overfitting), with \(Int(large.fraction * 100))% it does not"
                         + String(format: " (drop %.3f against %.3f bits)", small.drop, large.drop))
        }
        return lines.joined(separator: "\n")
    }

    /// The figures: the information planes side by side (the paper's Fig. 3 rows), and
    /// the last hidden layer's I(T;Y) and I(X;T) against epoch per share.
    package func figures() -> [(name: String, svg: SVG)] {
        guard !planes.isEmpty else { return [] }
        let plane = Figures.informationPlane(planes, hx: 12, hy: 0.999157,
                                             title: "Training-set size (2017, Fig. 3): binning with 30 bins, mean over runs, measured on all 4096 patterns")
        let curves = Figures.lines([(title: "I(T;Y) of \(layer)", yLabel: "bits", series: ity, markers: []),
                                    (title: "I(X;T) of \(layer)", yLabel: "bits", series: ixt, markers: [])],
                                   xLabel: "epoch", logX: true, title: "Training-set size: the last hidden layer")
        return [("sizes_information_plane", plane), ("sizes_last_hidden", curves)]
    }
}
