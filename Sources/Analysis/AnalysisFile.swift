import Foundation
import HDF5
import Information

/// Writes the analysis of an experiment's runs: `analysis.h5` beside the run files (and
/// `analysis.csv` on request). Layout: `docs/estimators.md`. A separate file, so that an
/// analysis never writes into a run file (whose crash safety rests on not changing its
/// metadata), and so that repeats are summarised in one place.
public enum AnalysisFile {
    public static let format = "infoplane-analysis"
    public static let version: Int32 = 1

    /// - Returns: the epochs analysed (common to all runs), a note when runs had to be cut
    ///   to the shortest, and per label the DPI violations found.
    @discardableResult
    public static func write(_ runs: [RunAnalysis], estimators: [EstimatorSpec], experiment: String, tool: String,
                             to path: String, csv: String? = nil) throws -> (epochs: [Int], note: String?, violations: [String: [DPICheck.Violation]]) {
        guard let first = runs.first else { throw HDF5Error(.mismatch, call: "analysis", file: path, detail: "no runs to analyse") }
        let count = runs.map(\.epochs.count).min() ?? 0
        let epochs = Array(first.epochs.prefix(count))
        let note = runs.contains { $0.epochs.count != count }
            ? "runs have \(runs.map(\.epochs.count).min()!)…\(runs.map(\.epochs.count).max()!) logged epochs; all cut to the first \(count)"
            : nil
        let file = try H5File.create(path, overwrite: true)
        try file.setAttribute("format", format)
        try file.setAttribute("format_version", version)
        try file.setAttribute("experiment", experiment)
        try file.setAttribute("tool", tool)
        try file.setAttribute("created", ISO8601DateFormatter().string(from: Date()))
        try file.setAttribute("units", "bits")
        let group = try file.createGroup("analysis")
        try group.writeDataset("epochs", epochs.map(Int64.init))
        try group.writeDataset("seeds", runs.map { Int64(bitPattern: $0.seed) })
        try group.setAttribute("layers", first.layerNames.joined(separator: ","))
        try group.setAttribute("runs", runs.map(\.path).joined(separator: "\n"))
        let layers = first.layerNames.count
        var lines = ["estimator,run,seed,epoch,layer,ixt_bits,ity_bits"]
        var allViolations: [String: [DPICheck.Violation]] = [:]
        for estimator in estimators {
            for label in estimator.labels {
                let series = try group.createGroup(label)
                try series.setAttribute("description", estimator.summary)
                for (quantity, table) in [("ixt", runs.map { Array(($0.ixt[label] ?? []).prefix(count)) }),
                                          ("ity", runs.map { Array(($0.ity[label] ?? []).prefix(count)) })] {
                    try series.writeDataset(quantity, table.flatMap { $0.flatMap { $0 } }, shape: [runs.count, count, layers])
                    let statistics = RepeatStatistics(table)
                    try series.writeDataset("\(quantity)_mean", statistics.mean.flatMap { $0 }, shape: [count, layers])
                    try series.writeDataset("\(quantity)_std", statistics.std.flatMap { $0 }, shape: [count, layers])
                    try series.writeDataset("\(quantity)_ci_low", statistics.lower.flatMap { $0 }, shape: [count, layers])
                    try series.writeDataset("\(quantity)_ci_high", statistics.upper.flatMap { $0 }, shape: [count, layers])
                }
                // Data-processing inequality along the layers.
                let ixtRuns = runs.map { Array(($0.ixt[label] ?? []).prefix(count)) }
                let ityRuns = runs.map { Array(($0.ity[label] ?? []).prefix(count)) }
                if layers > 1 {
                    for (quantity, table) in [("ixt", ixtRuns), ("ity", ityRuns)] {
                        let sizes = table.map { DPICheck.sizes($0) }
                        try series.writeDataset("dpi_\(quantity)_violation", sizes.flatMap { $0.flatMap { $0 } }, shape: [runs.count, count, layers - 1])
                    }
                }
                let violations = DPICheck.violations(ixt: ixtRuns, ity: ityRuns, epochs: epochs)
                allViolations[label] = violations
                try series.setAttribute("dpi_violations", Int64(violations.count))
                try series.setAttribute("dpi_largest_violation_bits", violations.map(\.size).max() ?? 0)
                let peaks = runs.map { RepeatStatistics.peaks(Array(($0.ixt[label] ?? []).prefix(count))) }
                try series.writeDataset("ixt_peak_epoch", peaks.flatMap { $0.map { Int64(epochs[$0.peakIndex]) } }, shape: [runs.count, layers])
                try series.writeDataset("ixt_compression_bits", peaks.flatMap { $0.map(\.compressionBits) }, shape: [runs.count, layers])
                try series.writeDataset("ixt_compression_fraction", peaks.flatMap { $0.map(\.compressionFraction) }, shape: [runs.count, layers])
                if csv != nil {
                    for (r, run) in runs.enumerated() {
                        for e in 0..<count {
                            for l in 0..<layers {
                                lines.append("\(label),\(r),\(run.seed),\(epochs[e]),\(first.layerNames[l]),\(run.ixt[label]![e][l]),\(run.ity[label]![e][l])")
                            }
                        }
                    }
                }
            }
        }
        // Gradient SNR and its phase transition, per run and layer with weights.
        let snr = try group.createGroup("snr")
        try snr.setAttribute("description", "gradient signal-to-noise ratio ‖mean g‖/‖std g‖ per layer (Saxe et al. 2018, App. I); transition_epoch: least-squares change point of log10 SNR, −1 when none (docs/estimators.md)")
        let gradientCount = runs.map(\.snrEpochs.count).min() ?? 0
        try snr.writeDataset("epochs", Array(first.snrEpochs.prefix(gradientCount)).map(Int64.init))
        try snr.writeDataset("transition_epoch", runs.flatMap { $0.snrTransition.map { Int64($0 ?? -1) } }, shape: [runs.count, layers])
        for (l, name) in first.layerNames.enumerated() where first.snr[l] != nil {
            try snr.writeDataset(name, runs.flatMap { Array(($0.snr[l] ?? []).prefix(gradientCount)) }, shape: [runs.count, gradientCount])
        }
        try file.flush()
        if let csv {
            try (lines.joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        }
        return (epochs, note, allViolations)
    }
}

extension AnalysisFile {
    /// What the figures need from an analysis file: per label the means across runs.
    public struct Contents: Sendable {
        public var experiment: String
        public var epochs: [Int]
        public var layers: [String]
        public var labels: [String]
        /// label → `[epoch][layer]`
        public var ixtMean: [String: [[Double]]]
        public var ityMean: [String: [[Double]]]
        /// label → per run `[epoch][layer]`
        public var ixtRuns: [String: [[[Double]]]]
        public var ityRuns: [String: [[[Double]]]]
        /// label → `[epoch][layer pair]`, DPI violations summed over runs.
        public var dpi: [String: [[Double]]]
        /// The runs' seeds and paths.
        public var runs: [String]
        /// The median SNR transition epoch per layer (nil: none).
        public var transitions: [Int?]
    }

    public static func read(_ path: String) throws -> Contents {
        let file = try H5File.open(path)
        guard file.hasAttribute("format"), try file.stringAttribute("format") == format else {
            throw HDF5Error(.mismatch, call: "read", file: path, detail: "not an infoplane analysis file")
        }
        let group = try file.group("analysis")
        let epochs = try group.dataset("epochs").read(as: Int64.self).map { Int($0) }
        let layers = try group.stringAttribute("layers").split(separator: ",").map(String.init)
        let runs = try group.stringAttribute("runs").split(separator: "\n").map(String.init)
        func table(_ values: [Double], _ columns: Int) -> [[Double]] {
            columns == 0 ? [] : stride(from: 0, to: values.count, by: columns).map { Array(values[$0..<($0 + columns)]) }
        }
        var labels: [String] = [], ixt: [String: [[Double]]] = [:], ity: [String: [[Double]]] = [:], dpi: [String: [[Double]]] = [:]
        var ixtRuns: [String: [[[Double]]]] = [:], ityRuns: [String: [[[Double]]]] = [:]
        func perRun(_ values: [Double]) -> [[[Double]]] {
            let cells = epochs.count * layers.count
            guard cells > 0 else { return [] }
            return stride(from: 0, to: values.count, by: cells).map { table(Array(values[$0..<($0 + cells)]), layers.count) }
        }
        for name in try group.childNames() where name != "snr" && group.isGroup(name) {
            let series = try group.group(name)
            guard series.isDataset("ixt_mean") else { continue }
            labels.append(name)
            ixt[name] = table(try series.dataset("ixt_mean").read(as: Double.self), layers.count)
            ity[name] = table(try series.dataset("ity_mean").read(as: Double.self), layers.count)
            ixtRuns[name] = perRun(try series.dataset("ixt").read(as: Double.self))
            ityRuns[name] = perRun(try series.dataset("ity").read(as: Double.self))
            if series.isDataset("dpi_ixt_violation") {
                let values = try series.dataset("dpi_ixt_violation").read(as: Double.self)
                let pairs = layers.count - 1, cells = epochs.count * pairs
                var summed = [Double](repeating: 0, count: cells)
                for (i, v) in values.enumerated() { summed[i % cells] += v }
                dpi[name] = table(summed, pairs)
            }
        }
        var transitions: [Int?] = Array(repeating: nil, count: layers.count)
        if group.isDataset("snr/transition_epoch") {
            let values = try group.dataset("snr/transition_epoch").read(as: Int64.self)
            for l in layers.indices {
                let column = stride(from: l, to: values.count, by: layers.count).map { Int(values[$0]) }.filter { $0 >= 0 }.sorted()
                transitions[l] = column.isEmpty ? nil : column[column.count / 2]
            }
        }
        return Contents(experiment: try file.stringAttribute("experiment"), epochs: epochs, layers: layers, labels: labels.sorted(),
                        ixtMean: ixt, ityMean: ity, ixtRuns: ixtRuns, ityRuns: ityRuns, dpi: dpi, runs: runs, transitions: transitions)
    }
}
