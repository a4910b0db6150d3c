import Foundation
import Recording

/// The human-readable form of a ``RunSummary``.
enum RunSummaryText {
    /// A size in MiB (or KiB below 1 MiB).
    static func bytes(_ count: Int) -> String {
        count >= 1 << 20 ? String(format: "%.1f MiB", Double(count) / 1_048_576) : String(format: "%.0f KiB", Double(count) / 1024)
    }

    /// - Parameter arithmetic: the dense layers' arithmetic from the stored configuration
    ///   (`model.arithmetic`), when it parses.
    static func render(_ s: RunSummary, includeConfig: Bool, arithmetic: String? = nil) -> String {
        var lines: [String] = []
        lines.append("\(s.path)")
        let variant = s.sweep.split(separator: "\n").map { String($0) }.joined(separator: ", ")
        lines.append("  experiment   \(s.experiment)\(variant.isEmpty ? "" : " (\(variant))")   (run-file format \(s.formatVersion))")
        if let source = s.modelSource {
            lines.append("  model        imported from \(source.path) (\(source.format), SHA-256 \(source.sha256.prefix(16))…)")
        }
        if let writer = s.externalWriter {
            lines.append("  recorded by  \(writer), outside the lab (no model to rebuild; docs/run-file.md)")
        }
        lines.append("  status       \(s.status.rawValue)\(s.divergedEpoch.map { " at epoch \($0)" } ?? ""): \(s.completedEpochs) of \(s.totalEpochs) epochs, seed \(s.seed)")
        let first = s.loggedEpochs.prefix(5).map(String.init).joined(separator: ", ")
        let last = s.loggedEpochs.suffix(3).map(String.init).joined(separator: ", ")
        lines.append("  logged       \(s.loggedEpochCount) epochs (\(s.logTiming) updates): \(first)\(s.loggedEpochCount > 5 ? " … \(last)" : "")")
        lines.append("  samples      \(s.samples), activations as \(s.activationStorage)")
        lines.append("  layers" + (arithmetic.map { "       (dense products: \($0) arithmetic)" } ?? ""))
        for layer in s.layers {
            let shape = "[" + layer.outputShape.map(String.init).joined(separator: ", ") + "]"
            let columns = "\(layer.index)".padding(toLength: 4, withPad: " ", startingAt: 0)
                + layer.name.padding(toLength: 12, withPad: " ", startingAt: 0)
                + layer.kind.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
                + layer.activation.padding(toLength: 10, withPad: " ", startingAt: 0)
                + "[L, \(s.samples), " + shape.dropFirst()
            // A graph's layers that do not take the layer before say what they take.
            let previous = layer.index == 0 ? "input" : s.layers[layer.index - 1].name
            let inputs = layer.inputs == [previous] ? "" : "  ← " + layer.inputs.joined(separator: " + ")
            lines.append("    " + columns + (layer.hasWeights ? "  + weights" : "") + inputs)
        }
        if !s.finalMetrics.isEmpty {
            let metrics = RunFileFormat.metricNames.compactMap { name in
                s.finalMetrics[name].map { "\(name) \(String(format: "%.4f", $0))" }
            }
            lines.append("  final        " + metrics.joined(separator: ", "))
        }
        lines.append(String(format: "  size         %.1f MiB on disk%@, %.1f KiB of activations per logged epoch",
                            Double(s.sizeBytes) / 1_048_576, s.compaction.map { " (compacted: \($0))" } ?? " (contiguous)",
                            s.activationBytesPerLoggedEpoch / 1024))
        if includeConfig {
            lines.append("  config")
            lines += s.config.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }
        }
        return lines.joined(separator: "\n")
    }
}
