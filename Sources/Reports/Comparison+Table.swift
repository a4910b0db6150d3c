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
                let finals = values.compactMap { $0[key]?.last }.filter(\.isFinite)
                guard !finals.isEmpty else { continue }
                let mean = finals.reduce(0, +) / Double(finals.count)
                let sd = finals.count > 1 ? (finals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(finals.count - 1)).squareRoot() : 0
                metrics[key] = (mean, sd)
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

    /// The rows as CSV (one row per variant; `ixt_<layer>`/`ity_<layer>` per shared layer;
    /// the analysis file each row comes from in `analysis`). Empty cells: not recorded.
    package static func csv(_ rows: [Row], layers: [String]) -> String {
        func field(_ text: String) -> String {
            text.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        func number(_ value: Double?) -> String { value.map { $0.isFinite ? String($0) : "" } ?? "" }
        var header = ["variant", "experiment", "sweep", "runs", "last_epoch", "estimator", "dpi_violations"]
        for key in metricKeys { header += [key, key + "_sd"] }
        for layer in layers { header += ["ixt_" + layer, "ity_" + layer] }
        header.append("analysis")
        var lines = [header.map(field).joined(separator: ",")]
        for row in rows {
            var cells = [row.name, row.experiment, row.variant, String(row.runs), String(row.lastEpoch), row.estimator, String(row.dpiViolations)]
            for key in metricKeys { cells += [number(row.metrics[key]?.mean), number(row.metrics[key]?.sd)] }
            for layer in layers { cells += [number(row.information[layer]?.ixt), number(row.information[layer]?.ity)] }
            cells.append(row.analysis)
            lines.append(cells.map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
