import Analysis
import Foundation
import Information
import Recording

extension Comparison {
    /// A variant's final numbers: the last logged epoch's metrics (mean and s.d. over its
    /// runs), its main estimator's I(X;T) and I(T;Y) per shared layer (means over runs),
    /// and its DPI violations under that estimator.
    package struct Row: Sendable {
        package var name: String
        package var experiment: String
        package var variant: String
        package var analysis: String
        package var runs: Int
        package var lastEpoch: Int
        package var estimator: String
        /// metric → (mean, s.d.) at each run's last epoch.
        package var metrics: [String: (mean: Double, sd: Double)]
        /// layer → (I(X;T), I(T;Y)) at the last logged epoch, bits.
        package var information: [String: (ixt: Double, ity: Double)]
        package var dpiViolations: Int
    }

    static let metricKeys = ["train_accuracy", "test_accuracy", "train_loss", "test_loss"]

    package func rows() throws -> [Row] {
        try variants.map { v in
            let a = v.analysis
            var metrics: [String: (Double, Double)] = [:]
            let values = try v.figures.runs.map { try $0.metrics().values }
            for key in Self.metricKeys {
                if let final = AnalysisFigures.meanAndSD(values.compactMap { $0[key]?.last }) { metrics[key] = final }
            }
            var information: [String: (Double, Double)] = [:]
            if let ixt = a.ixtMean[v.label]?.last, let ity = a.ityMean[v.label]?.last {
                for layer in layers { if let l = a.layers.firstIndex(of: layer) { information[layer] = (ixt[l], ity[l]) } }
            }
            let violations = DPICheck.violations(ixt: a.ixtRuns[v.label] ?? [], ity: a.ityRuns[v.label] ?? [], epochs: a.epochs, pairs: a.pairs)
            return Row(name: v.name, experiment: a.experiment, variant: a.variant ?? "", analysis: a.path, runs: a.runs.count,
                       lastEpoch: a.epochs.last ?? 0, estimator: v.label, metrics: metrics, information: information,
                       dpiViolations: violations.count)
        }
    }

    /// The rows as a table (one row per variant; `ixt_<layer>`/`ity_<layer>` per shared
    /// layer; the analysis file each row comes from in `analysis`), written as compare.csv.
    /// NaN: not recorded.
    package static func table(_ rows: [Row], layers: [String]) -> Table {
        func numbers(_ value: (Row) -> Double?) -> Table.Values { .double(rows.map { value($0) ?? .nan }) }
        var columns: [Table.Column] = [
            .init("variant", .string(rows.map(\.name))), .init("experiment", .string(rows.map(\.experiment))),
            .init("sweep", .string(rows.map(\.variant))), .init("runs", .int(rows.map { Int64($0.runs) })),
            .init("last_epoch", .int(rows.map { Int64($0.lastEpoch) })), .init("estimator", .string(rows.map(\.estimator))),
            .init("dpi_violations", .int(rows.map { Int64($0.dpiViolations) }), longName: "DPI violations of I(X;T) and I(T;Y) by the estimator, all runs"),
        ]
        for key in metricKeys {
            columns.append(.init(key, numbers { $0.metrics[key]?.mean }, longName: "mean over runs at each run's last epoch"))
            columns.append(.init(key + "_sd", numbers { $0.metrics[key]?.sd }, longName: "standard deviation over runs (ddof 1)"))
        }
        for layer in layers {
            columns.append(.init("ixt_" + layer, numbers { $0.information[layer]?.ixt }, units: "bits"))
            columns.append(.init("ity_" + layer, numbers { $0.information[layer]?.ity }, units: "bits"))
        }
        columns.append(.init("analysis", .string(rows.map(\.analysis))))
        return Table(columns: columns)
    }
}
