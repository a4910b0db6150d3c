import Analysis
import ArgumentParser
import Foundation
import Recording

/// `infoplane export RUN.h5`: one layer's activations at one logged epoch, for tools that
/// do not read HDF5 (CSV) or for numpy without h5py (.npy).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write one layer's activations at one logged epoch as CSV or .npy.",
        discussion: """
        Rows are the recorded samples (in /dataset/index order), columns the layer's units \
        (flattened). The .npy file is float32, C order, shape (samples, units); numpy.load reads it.

        Examples:
          infoplane export results/quick/run-1.h5 --layer hidden5 --epoch 2998 --output h5.csv
          infoplane export results/quick/run-1.h5 --layer output --epoch last --output out.npy
        """
    )

    @OptionGroup var target: RunEpochOptions

    @Option(help: "Layer name (see infoplane inspect).")
    var layer: String

    @Option(name: [.short, .long], help: "Output file; .npy writes NumPy format, anything else CSV.")
    var output: String

    @Flag(help: "Replace an existing output file.")
    var force = false

    func run() throws {
        let path = target.path
        try OutputFile.check(output, inputs: [path], force: force)
        let run = try RunFile.open(path)
        guard let index = run.layers.firstIndex(where: { $0.name == layer }) else {
            throw InputError("\(path): no layer \"\(layer)\" (layers: \(run.layers.map(\.name).joined(separator: ", ")))")
        }
        let position = try target.epoch.position(in: run)
        let t = try run.activations(layer: index, loggedIndex: position)
        let rows = t.rows, columns = t.rowSize
        let data = ArrayExport.Format(path: output) == .npy ? ArrayExport.npy(t.scalars, rows: rows, columns: columns)
                                                           : ArrayExport.csv(t.scalars, rows: rows, columns: columns)
        try data.write(to: URL(fileURLWithPath: output), options: .atomic)
        print("exported \(output)  \(rows) × \(columns), layer \(layer), epoch \(run.loggedEpochs[position])")
    }
}
