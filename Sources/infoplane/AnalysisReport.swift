import Analysis
import Foundation

/// The lines `analyze` and `run` print for one analysed folder.
enum AnalysisReport {
    static func render(_ outcome: ExperimentAnalysis.Outcome) -> String {
        var lines = ["analyzed \(outcome.output)  \(outcome.runs) run(s) × \(outcome.epochs) epochs, \(outcome.labels.joined(separator: ", ")) in \(String(format: "%.1f", outcome.seconds)) s"]
        let dpi = outcome.dpi.map { $0.count == 0 ? "\($0.label) none" : "\($0.label) \($0.count) (largest \(String(format: "%.3f", $0.largest)) bits)" }
        lines.append("  DPI violations: " + dpi.joined(separator: "; "))
        let phases = outcome.phases.compactMap { phase -> String? in
            guard phase.transition != nil || phase.peak != nil else { return nil }
            return "\(phase.layer) SNR drop at \(phase.transition.map(String.init) ?? "–"), I(X;T) peak at \(phase.peak.map(String.init) ?? "–")"
        }
        if !phases.isEmpty { lines.append("  epochs (median over runs): " + phases.joined(separator: "; ")) }
        return lines.joined(separator: "\n")
    }
}
