import Analysis
import ArgumentParser
import Foundation
import Recording

/// `infoplane export activations`: one layer at one or all logged epochs.
struct ExportActivations: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activations",
        abstract: "One layer's activations at one logged epoch, or at all of them.",
        discussion: """
        .npy: float32, C order, (epochs, samples, units) whatever --epoch is (one epoch: an axis \
        of length 1, so code written for one epoch reads all). CSV: epoch, sample (row in the data set), label, split (0 train, 1 test, 2 neither), \
        unit0, …. HDF5/netCDF: activations(epoch, sample, unit) with coordinates and label(sample), \
        split(sample). MAT: the same variables (MATLAB shows arrays with their axes reversed).
        """
    )

    @Argument(help: "A run file.")
    var path: String

    @Option(help: "Layer name (see infoplane inspect).")
    var layer: String

    @Option(help: "A logged epoch, last, or all.")
    var epoch: ExportEpochs = .one(.last)

    @OptionGroup var destination: ExportOutput

    @OptionGroup var log: OutputOptions

    func run() throws {
        let format = try destination.resolve(inputs: [path], allowed: [.csv, .npy, .hdf5, .mat])
        let run = try RunFile.open(path)
        guard let index = run.layers.firstIndex(where: { $0.name == layer }) else {
            throw InputError("\(path): no layer \"\(layer)\" (layers: \(run.layers.map(\.name).joined(separator: ", ")))")
        }
        let positions: [Int]
        switch epoch {
        case .all: positions = Array(run.loggedEpochs.indices)
        case .one(let choice): positions = [try choice.position(in: run)]
        }
        guard !positions.isEmpty else { throw InputError("\(path): no committed logged epochs") }
        var values: [Float] = []
        var units = 0
        for position in positions {
            let t = try run.activations(layer: index, loggedIndex: position)
            units = t.rowSize
            values += t.scalars
        }
        let export = ArrayExport.Activations(layer: layer, epochs: positions.map { run.loggedEpochs[$0] }, sampleRows: try run.sampleRows(),
                                             labels: try run.labels(), splits: try run.splits(), units: units, values: values)
        try export.write(to: destination.output, format: format)
        try destination.report("exported \(destination.output)  layer \(layer), \(positions.count) epoch(s) × \(export.sampleRows.count) samples × \(units) units", quiet: log.quiet,
                               json: ExportOutput.JSON(output: destination.output, format: format.rawValue, contents: "activations",
                                                       shape: [positions.count, export.sampleRows.count, units], layer: layer, epochs: export.epochs))
    }
}
