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

    @Argument(help: "A run file.")
    var path: String

    @Option(help: "Layer name (see infoplane inspect).")
    var layer: String

    @Option(help: "A logged epoch number, or last.")
    var epoch: String = "last"

    @Option(help: "Output file; .npy writes NumPy format, anything else CSV.")
    var output: String

    func run() throws {
        let run: RunFile
        do { run = try RunFile.open(path) } catch { throw InputError("\(error)") }
        guard let index = run.layers.firstIndex(where: { $0.name == layer }) else {
            throw InputError("\(path): no layer \"\(layer)\" (layers: \(run.layers.map(\.name).joined(separator: ", ")))")
        }
        guard let position = epoch == "last" ? run.loggedEpochs.indices.last : Int(epoch).flatMap({ run.loggedEpochs.firstIndex(of: $0) }) else {
            throw InputError("\(path): epoch \(epoch) is not a committed logged epoch (\(run.loggedEpochs.count) logged: \(run.loggedEpochs.prefix(3).map(String.init).joined(separator: ", ")) … \(run.loggedEpochs.last.map(String.init) ?? "none"))")
        }
        let t = try run.activations(layer: index, loggedIndex: position)
        let rows = t.rows, columns = t.rowSize
        if output.hasSuffix(".npy") {
            var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
            while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
            header += "\n"
            var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
            data.append(contentsOf: [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
            data.append(contentsOf: Array(header.utf8))
            t.scalars.withUnsafeBufferPointer { data.append(Data(buffer: $0)) }
            try data.write(to: URL(fileURLWithPath: output))
        } else {
            var lines = [(0..<columns).map { "unit\($0)" }.joined(separator: ",")]
            for r in 0..<rows {
                lines.append((0..<columns).map { "\(t.scalars[r * columns + $0])" }.joined(separator: ","))
            }
            try (lines.joined(separator: "\n") + "\n").write(toFile: output, atomically: true, encoding: .utf8)
        }
        print("exported \(output)  \(rows) × \(columns), layer \(layer), epoch \(run.loggedEpochs[position])")
    }
}
