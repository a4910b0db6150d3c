import Analysis
import Foundation
import Information
import Logging

/// The lines `analyze`, `run` and `reproduce` print for one analysis file.
enum AnalysisReport {
    static func render(_ outcome: ExperimentAnalysis.Outcome) -> String {
        var head = "analyzed \(outcome.output)  \(outcome.runs) run(s) × \(outcome.epochs) epoch\(outcome.epochs == 1 ? "" : "s")"
        if !outcome.computed.isEmpty {
            head += ": computed \(outcome.computed.joined(separator: ", ")) in \(String(format: "%.1f", outcome.seconds)) s"
        }
        if !outcome.kept.isEmpty {
            head += outcome.computed.isEmpty ? ": nothing to compute;" : ";"
            head += " kept \(outcome.kept.joined(separator: ", ")) (already computed for these runs)"
        }
        if let shards = outcome.mergedShards {
            head += ": merged \(shards) shard file(s) in \(String(format: "%.1f", outcome.seconds)) s"
        } else if outcome.computed.isEmpty && outcome.kept.isEmpty {
            head += ": gradient SNR only (no estimators configured or given)"
        }
        var lines = [head]
        if !outcome.dpi.isEmpty {
            let dpi = outcome.dpi.map { $0.count == 0 ? "\($0.label) none" : "\($0.label) \($0.count) (largest \(String(format: "%.3f", $0.largest)) bits)" }
            lines.append("  DPI violations: " + dpi.joined(separator: "; "))
        }
        // The I(X;T) peak only when some estimator gave one (not for an SNR-only analysis).
        let peaks = outcome.phases.contains { $0.peak != nil }
        let phases = outcome.phases.compactMap { phase -> String? in
            guard phase.transition != nil || phase.peak != nil else { return nil }
            let snr = "\(phase.layer) SNR drop at \(phase.transition.map(RepeatStatistics.epochText) ?? "–")"
            return peaks ? snr + ", I(X;T) peak at \(phase.peak.map(RepeatStatistics.epochText) ?? "–")" : snr
        }
        // One logged epoch (a recorded model): no peaks or drops over epochs to report.
        if !phases.isEmpty && outcome.epochs > 1 {
            let estimator = peaks ? outcome.mainLabel.map { ", peaks by \($0)" } ?? "" : ""
            lines.append("  epochs (median over runs\(estimator)): " + phases.joined(separator: "; "))
        }
        return lines.joined(separator: "\n")
    }

    /// Prints the report (unless quiet) and logs a replacement and the notes.
    static func log(_ outcome: ExperimentAnalysis.Outcome, quiet: Bool, logger: Logger) {
        if let replaced = outcome.replaced { logger.notice("replaced \(outcome.output): it \(replaced)") }
        if !quiet { print(render(outcome)) }
        if let note = outcome.note { logger.warning("\(outcome.output): \(note)") }
        for warning in outcome.warnings { logger.warning("\(outcome.output): \(warning)") }
    }
}

extension AnalysisReport {
    /// `analyze --json`: one outcome as a JSON object (snake_case keys).
    struct JSON: Encodable {
        struct DPI: Encodable { var estimator: String; var violations: Int; var largestBits: Double }
        struct Phase: Encodable { var layer: String; var snrTransitionEpoch: Double?; var ixtPeakEpoch: Double? }
        var output: String
        var runs: Int
        var epochs: Int
        var computed: [String]
        var kept: [String]
        var replaced: String?
        var note: String?
        var warnings: [String]
        var seconds: Double
        var dpi: [DPI]
        var phases: [Phase]
        /// The estimator of `ixt_peak_epoch`.
        var mainEstimator: String?

        init(_ outcome: ExperimentAnalysis.Outcome) {
            output = outcome.output
            runs = outcome.runs
            epochs = outcome.epochs
            computed = outcome.computed
            kept = outcome.kept
            replaced = outcome.replaced
            note = outcome.note
            warnings = outcome.warnings
            seconds = outcome.seconds
            dpi = outcome.dpi.map { DPI(estimator: $0.label, violations: $0.count, largestBits: $0.largest) }
            mainEstimator = outcome.mainLabel
            phases = outcome.phases.map { Phase(layer: $0.layer, snrTransitionEpoch: $0.transition, ixtPeakEpoch: $0.peak) }
        }
    }

    static func json(_ outcomes: [ExperimentAnalysis.Outcome]) throws {
        try writeJSON(outcomes.map(JSON.init))
    }
}
