import Analysis
import ArgumentParser
import Foundation
import Recording

/// `infoplane export metrics|gradients|table`: tables of a run, or of whole experiments.
struct ExportMetrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Loss and accuracy after every epoch: epoch (completed epochs), train_loss, train_accuracy, test_loss, test_accuracy.")

    @Argument(help: "A run file.")
    var path: String

    @OptionGroup var destination: ExportOutput

    @OptionGroup var log: OutputOptions

    func run() throws {
        try destination.exportTable(of: path, what: "metrics", quiet: log.quiet) { run in
            let (epochs, values) = try run.metrics()
            var columns = [Table.Column("epoch", .int(epochs.map(Int64.init)), longName: "completed training epochs (0: initialisation)")]
            for name in RunFileFormat.metricNames {
                columns.append(.init(name, .double(values[name] ?? []), longName: name.replacingOccurrences(of: "_", with: " ")))
            }
            return columns
        }
    }
}

struct ExportGradients: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradients",
        abstract: "Gradient statistics per logged epoch and layer with weights: epoch, layer_index, layer, and the run file's series (mean_norm, std_norm, snr, …).")

    @Argument(help: "A run file.")
    var path: String

    @OptionGroup var destination: ExportOutput

    @OptionGroup var log: OutputOptions

    func run() throws {
        try destination.exportTable(of: path, what: "gradient statistics", quiet: log.quiet) { run in
            try Self.columns(run)
        }
    }

    static func columns(_ run: RunFile) throws -> [Table.Column] {
        let (epochs, layers) = try run.gradientStatistics()
        var epoch: [Int64] = [], index: [Int64] = [], names: [String] = []
        var series = Dictionary(uniqueKeysWithValues: RunFileFormat.gradientNames.map { ($0, [Double]()) })
        for (e, value) in epochs.enumerated() {
            for layer in run.layers {
                guard let statistics = layers[layer.name] else { continue }
                epoch.append(Int64(value))
                index.append(Int64(layer.index))
                names.append(layer.name)
                for name in RunFileFormat.gradientNames { series[name]?.append(statistics[name]?[e] ?? .nan) }
            }
        }
        var columns: [Table.Column] = [.init("epoch", .int(epoch), longName: "training epoch whose minibatch gradients these are"),
                                       .init("layer_index", .int(index)), .init("layer", .string(names))]
        for name in RunFileFormat.gradientNames { columns.append(.init(name, .double(series[name] ?? []))) }
        return columns
    }
}

struct ExportTable: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "table",
        abstract: "One tidy table over experiments and all their sweep variants: a row per variant, seed, logged epoch, layer and estimator.",
        discussion: """
        Columns: experiment, variant, one column per sweep key (e.g. model.widths), seed, run, \
        epoch, layer_index, layer, estimator, estimator_parameters, ixt_bits, ity_bits, and the \
        run's train_loss, train_accuracy, test_loss, test_accuracy at that logged epoch. Reads \
        every analysis.h5 under the given folders (run infoplane analyze first).
        """
    )

    @Argument(help: "Result folders (searched for analysis.h5) or analysis files; several experiments at once are one table.")
    var paths: [String]

    @OptionGroup var destination: ExportOutput

    @OptionGroup var log: OutputOptions

    func run() throws {
        let files = try ExperimentTable.analysisFiles(under: paths)
        guard !files.isEmpty else { throw InputError("no analysis.h5 under \(paths.joined(separator: ", ")); run infoplane analyze first") }
        let format = try destination.resolve(inputs: files, allowed: [.csv, .hdf5, .mat])
        let table = try ExperimentTable.build(files)
        try table.write(to: destination.output, format: format)
        try destination.report("exported \(destination.output)  \(table.rowCount) rows from \(files.count) analysis file(s)", quiet: log.quiet,
                               json: destination.tableJSON(table, format: format, contents: "table"))
    }
}
