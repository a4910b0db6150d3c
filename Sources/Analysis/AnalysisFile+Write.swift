import Foundation
import HDF5
import Information

extension AnalysisFile {
    /// What every group of an analysis file shares: whose runs, which axes.
    public struct Header: Sendable {
        public var experiment: String
        /// The sweep variant as YAML (`key: value` lines), empty when not a sweep.
        public var sweep: String
        public var tool: String
        /// `[seed]`: the runs, in file order.
        public var runs: [AnalysedRun]
        /// `[epoch]`: logged epochs common to all runs.
        public var epochs: [Int]
        /// `[layer]`
        public var layers: [String]
        /// The layer pairs the DPI compares (``DPICheck/dominatorPairs(inputs:)``;
        /// consecutive layers in a chain).
        public var pairs: [DPICheck.Pair]

        public init(experiment: String, sweep: String, tool: String, runs: [AnalysedRun], epochs: [Int], layers: [String], pairs: [DPICheck.Pair]) {
            self.experiment = experiment
            self.sweep = sweep
            self.tool = tool
            self.runs = runs
            self.epochs = epochs
            self.layers = layers
            self.pairs = pairs
        }

        /// `[layer_pair]`: `earlier->later`, as the DPI compares them.
        var layerPairs: [String] { pairs.map { "\(layers[$0.earlier])->\(layers[$0.later])" } }
    }

    /// Creates the analysis file at `path` (which must not exist): attributes, the run
    /// table and axes in the root group, and the gradient SNR of `runs` in `/snr`.
    static func create(_ path: String, header: Header, runs: [RunAnalysis]) throws {
        let file = try H5File.create(path, overwrite: false)
        let now = ISO8601DateFormatter().string(from: Date())
        try file.setAttribute("format", format)
        try file.setAttribute("format_version", version)
        try file.setAttribute("experiment", header.experiment)
        try file.setAttribute("sweep", header.sweep)
        try file.setAttribute("tool", header.tool)
        try file.setAttribute("created", now)
        try file.setAttribute("modified", now)
        try file.setAttribute("units", "bit")
        try file.setAttribute("Conventions", "CF-1.8")
        try file.setAttribute("title", "information-plane analysis of \(header.experiment)\(header.sweep.isEmpty ? "" : " (\(variantText(header.sweep)))")")
        let axes = try writeAxes(in: file, header: header, pairs: false)
        let paths = try file.writeStrings("run_path", header.runs.map(\.path))
        try paths.attach([axes.seed])
        try paths.setAttribute("long_name", "run file, relative to this file")
        let digests = try file.writeStrings("run_digest", header.runs.map(\.digest))
        try digests.attach([axes.seed])
        try digests.setAttribute("long_name", "SHA-256 of the run file's bytes when analysed")
        let order = try file.writeDataset("layer_index", header.layers.indices.map(Int64.init))
        try order.attach([axes.layer])
        try order.setAttribute("long_name", "position of the layer in the network, from the input")

        // Gradient SNR and its phase transition, per run and layer (NaN / −1 without weights).
        let snr = try file.createGroup("snr")
        try snr.setAttribute("description", "gradient signal-to-noise ratio ‖mean g‖/‖std g‖ per layer (Saxe et al. 2018, App. I); transition_epoch: least-squares change point of log10 SNR, −1 when none (docs/estimators.md)")
        let gradientCount = runs.map(\.snrEpochs.count).min() ?? 0
        let gradientEpochs = Array((runs.first?.snrEpochs ?? []).prefix(gradientCount))
        let snrAxes = try writeAxes(in: snr, header: header, pairs: false)
        let snrEpoch = try snr.writeDataset("snr_epoch", gradientEpochs.map(Int64.init))
        try snrEpoch.makeDimensionScale(named: "snr_epoch")
        try snrEpoch.setAttribute("long_name", "epoch at which the gradient moments were taken")
        var values: [Double] = []
        values.reserveCapacity(runs.count * gradientCount * header.layers.count)
        for run in runs {
            for g in 0..<gradientCount {
                for l in header.layers.indices { values.append(run.snr.indices.contains(l) ? run.snr[l].map { $0[g] } ?? .nan : .nan) }
            }
        }
        let ratio = try snr.writeDataset("snr", values, shape: [runs.count, gradientCount, header.layers.count])
        try ratio.attach([snrAxes.seed, snrEpoch, snrAxes.layer])
        try ratio.setAttribute("long_name", "gradient signal-to-noise ratio (NaN: layer without weights)")
        try ratio.setAttribute("units", "1")
        let transitions = try snr.writeDataset("transition_epoch", runs.flatMap { run in
            header.layers.indices.map { Int64(run.snrTransition.indices.contains($0) ? run.snrTransition[$0] ?? -1 : -1) }
        }, shape: [runs.count, header.layers.count])
        try transitions.attach([snrAxes.seed, snrAxes.layer])
        try transitions.setAttribute("long_name", "drift to diffusion transition epoch")
        try transitions.setAttribute("missing_value", Int64(-1))
        try file.flush()
    }

    /// Adds one estimator label's results (`/estimators/<label>`) to an open file.
    ///
    /// - Parameters:
    ///   - ixt, ity: per run `[epoch][layer]` in bits, already cut to `header.epochs`.
    static func addEstimator(_ label: String, summary: String, argument: String, to file: H5File, header: Header,
                             ixt: [[[Double]]], ity: [[[Double]]]) throws -> [DPICheck.Violation] {
        let runs = header.runs.count, count = header.epochs.count, layers = header.layers.count
        let estimators = try file.groupCreatingIfNeeded("estimators")
        let series = try estimators.createGroup(label)
        try series.setAttribute("label", label)
        try series.setAttribute("description", summary)
        try series.setAttribute("estimator", argument)
        try series.setAttribute("tool", header.tool)
        try series.setAttribute("computed", ISO8601DateFormatter().string(from: Date()))
        let axes = try writeAxes(in: series, header: header, pairs: layers > 1)
        let symbol = ["ixt": "I(X;T)", "ity": "I(T;Y)"]
        for (quantity, table) in [("ixt", ixt), ("ity", ity)] {
            let name = symbol[quantity] ?? quantity
            let values = try series.writeDataset(quantity, table.flatMap { $0.flatMap { $0 } }, shape: [runs, count, layers])
            try values.attach([axes.seed, axes.epoch, axes.layer])
            try describe(values, "\(name) per run", units: "bit")
            let statistics = RepeatStatistics(table)
            for (suffix, numbers, what) in [("mean", statistics.mean, "mean over runs"), ("std", statistics.std, "standard deviation over runs"),
                                            ("ci_low", statistics.lower, "bootstrap 95% interval of the mean, low end"),
                                            ("ci_high", statistics.upper, "bootstrap 95% interval of the mean, high end")] {
                let dataset = try series.writeDataset("\(quantity)_\(suffix)", numbers.flatMap { $0 }, shape: [count, layers])
                try dataset.attach([axes.epoch, axes.layer])
                try describe(dataset, "\(name), \(what)", units: "bit")
            }
        }
        // Data-processing inequality along the layers.
        if !header.pairs.isEmpty, let pair = axes.pair {
            for (quantity, table) in [("ixt", ixt), ("ity", ity)] {
                let sizes = table.map { DPICheck.sizes($0, pairs: header.pairs) }
                let dataset = try series.writeDataset("dpi_\(quantity)_violation", sizes.flatMap { $0.flatMap { $0 } }, shape: [runs, count, header.pairs.count])
                try dataset.attach([axes.seed, axes.epoch, pair])
                try describe(dataset, "excess of \(symbol[quantity] ?? quantity) of the later layer of each pair over the earlier (0 where the DPI holds)", units: "bit")
            }
        }
        let violations = DPICheck.violations(ixt: ixt, ity: ity, epochs: header.epochs, pairs: header.pairs)
        try series.setAttribute("dpi_violations", Int64(violations.count))
        try series.setAttribute("dpi_largest_violation_bits", violations.map(\.size).max() ?? 0)
        let peaks = ixt.map { RepeatStatistics.peaks($0) }
        let peakEpoch = try series.writeDataset("ixt_peak_epoch", peaks.flatMap { $0.map { Int64(header.epochs[$0.peakIndex]) } }, shape: [runs, layers])
        try peakEpoch.attach([axes.seed, axes.layer])
        try describe(peakEpoch, "epoch of the I(X;T) peak", units: nil)
        let bits = try series.writeDataset("ixt_compression_bits", peaks.flatMap { $0.map(\.compressionBits) }, shape: [runs, layers])
        try bits.attach([axes.seed, axes.layer])
        try describe(bits, "I(X;T) drop from its peak to the last epoch", units: "bit")
        let fraction = try series.writeDataset("ixt_compression_fraction", peaks.flatMap { $0.map(\.compressionFraction) }, shape: [runs, layers])
        try fraction.attach([axes.seed, axes.layer])
        try describe(fraction, "I(X;T) drop from its peak to the last epoch, as a fraction of the peak", units: "1")
        try file.setAttribute("modified", ISO8601DateFormatter().string(from: Date()))
        return violations
    }

    /// The coordinates a group's variables use, written into that group (xarray's
    /// `open_dataset(group:)` reads coordinate values from the group itself).
    private static func writeAxes(in group: some H5Container, header: Header, pairs: Bool)
        throws -> (seed: H5Dataset, epoch: H5Dataset, layer: H5Dataset, pair: H5Dataset?) {
        let seed = try group.writeDataset("seed", header.runs.map { Int64(bitPattern: $0.seed) })
        try seed.makeDimensionScale(named: "seed")
        try seed.setAttribute("long_name", "seed of the run")
        let epoch = try group.writeDataset("epoch", header.epochs.map(Int64.init))
        try epoch.makeDimensionScale(named: "epoch")
        try epoch.setAttribute("long_name", "training epoch (0: before training)")
        let layer = try group.writeStrings("layer", header.layers)
        try layer.makeDimensionScale(named: "layer")
        try layer.setAttribute("long_name", "layer, from the input")
        var pair: H5Dataset?
        if pairs && !header.pairs.isEmpty {
            let names = try group.writeStrings("layer_pair", header.layerPairs)
            try names.makeDimensionScale(named: "layer_pair")
            try names.setAttribute("long_name", "layers the DPI compares, earlier -> later (a function of the earlier; consecutive layers in a chain)")
            pair = names
        }
        return (seed, epoch, layer, pair)
    }

    private static func describe(_ dataset: H5Dataset, _ longName: String, units: String?) throws {
        try dataset.setAttribute("long_name", longName)
        if let units { try dataset.setAttribute("units", units) }
    }

    /// `key=value, key=value` from the sweep's YAML lines, for titles.
    public static func variantText(_ sweep: String) -> String {
        sweep.split(separator: "\n").map { line in
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return parts.count == 2 ? "\(parts[0].split(separator: ".").last ?? "")=\(parts[1])" : String(line)
        }.joined(separator: ", ")
    }
}
