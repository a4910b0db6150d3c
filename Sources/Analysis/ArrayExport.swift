import Foundation
import HDF5
import Recording
import SafeFiles

/// Arrays of a run file written for other tools: NumPy's `.npy` (format 1.0,
/// little-endian `<f4`, C order, any rank), CSV, HDF5 (netCDF-4 compatible, with
/// dimension scales) or MATLAB v7.3.
package enum ArrayExport {
    /// The bytes of a `.npy` file: magic, version 1.0, a header padded to 64 bytes, data.
    package static func npy(_ values: [Float], shape: [Int]) -> Data {
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(dims), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        data.append(contentsOf: [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBufferPointer { data.append(Data(buffer: $0)) }
        return data
    }

    /// One layer's activations at some logged epochs, with what identifies each sample.
    package struct Activations: Sendable {
        package var layer: String
        /// `[epoch]`
        package var epochs: [Int]
        /// `[sample]`: row in the data set, label, split (0 train, 1 test, 2 neither).
        package var sampleRows: [Int]
        package var labels: [Int32]
        package var splits: [UInt8]
        /// Units per sample (the layer's output flattened).
        package var units: Int
        /// `[epoch, sample, unit]`, row-major.
        package var values: [Float]

        package init(layer: String, epochs: [Int], sampleRows: [Int], labels: [Int32], splits: [UInt8], units: Int, values: [Float]) {
            self.layer = layer
            self.epochs = epochs
            self.sampleRows = sampleRows
            self.labels = labels
            self.splits = splits
            self.units = units
            self.values = values
        }

        /// `(epochs, samples, units)` whatever the number of epochs: code that reads one
        /// epoch's export reads all epochs' (one epoch is an axis of length 1).
        var shape: [Int] { [epochs.count, sampleRows.count, units] }

        /// CSV: `epoch,sample,label,split,unit0,…`, one line per (epoch, sample).
        package func csv() -> Data {
            let head = ["epoch", "sample", "label", "split"] + (0..<units).map { "unit\($0)" }
            var lines = [head.joined(separator: ",")]
            let samples = sampleRows.count
            for (e, epoch) in epochs.enumerated() {
                for s in 0..<samples {
                    let base = (e * samples + s) * units
                    let prefix = ["\(epoch)", "\(sampleRows[s])", "\(labels[s])", "\(splits[s])"]
                    lines.append((prefix + (0..<units).map { "\(values[base + $0])" }).joined(separator: ","))
                }
            }
            return Data((lines.joined(separator: "\n") + "\n").utf8)
        }

        /// HDF5 with dimension scales: `activations(epoch, sample, unit)`, coordinates
        /// `epoch`, `sample` (rows in the data set),
        /// `unit`, and `label(sample)`, `split(sample)`.
        package func writeHDF5(to path: String) throws {
            try OutputFile.replaceAtomically(path) { temporary in
                let file = try H5File.create(temporary, overwrite: true)
                try file.setAttribute("title", "activations of layer \(layer)")
                try file.setAttribute("Conventions", "CF-1.8")
                let epoch = try file.writeDataset("epoch", epochs.map(Int64.init))
                try epoch.makeDimensionScale(named: "epoch")
                try epoch.setAttribute("long_name", "logged training epoch")
                let sample = try file.writeDataset("sample", sampleRows.map(Int64.init))
                try sample.makeDimensionScale(named: "sample")
                try sample.setAttribute("long_name", "row of the sample in the data set")
                let unit = try file.writeDataset("unit", (0..<units).map(Int64.init))
                try unit.makeDimensionScale(named: "unit")
                try unit.setAttribute("long_name", "unit of the layer (output flattened, row-major)")
                let label = try file.writeDataset("label", labels)
                try label.attach([sample])
                let split = try file.writeDataset("split", splits)
                try split.attach([sample])
                try split.setAttribute("long_name", "0 training, 1 test, 2 neither")
                let data = try file.writeDataset("activations", values, shape: shape)
                try data.attach([epoch, sample, unit])
                try data.setAttribute("long_name", "activations of \(layer)")
                try file.flush()
            }
        }

        /// MATLAB v7.3: `activations` (MATLAB sees the reversed shape, `unit×sample×epoch`),
        /// `epoch`, `sample_index`, `label`, `split` as column vectors, `layer` as a string.
        package func writeMAT(to path: String) throws {
            try OutputFile.replaceAtomically(path) { temporary in
                try MATWriter.write(temporary) { file in
                    try MATWriter.array(values, shape: shape, named: "activations", in: file)
                    try MATWriter.vector(epochs.map(Double.init), named: "epoch", in: file)
                    try MATWriter.vector(sampleRows.map(Double.init), named: "sample_index", in: file)
                    try MATWriter.vector(labels.map(Double.init), named: "label", in: file)
                    try MATWriter.vector(splits.map(Double.init), named: "split", in: file)
                    try MATWriter.strings([layer], named: "layer", in: file)
                }
            }
        }

        /// Writes in `format` to `path` (`-`: standard output, CSV or .npy only).
        package func write(to path: String, format: ExportFormat) throws {
            switch format {
            case .hdf5:
                guard path != "-" else { throw AnalysisError(file: path, "HDF5 cannot go to standard output; name a file") }
                try writeHDF5(to: path)
            case .mat:
                guard path != "-" else { throw AnalysisError(file: path, "a MAT-file cannot go to standard output; name a file") }
                try writeMAT(to: path)
            case .csv, .npy:
                let data = format == .csv ? csv() : ArrayExport.npy(values, shape: shape)
                if path == "-" {
                    try FileHandle.standardOutput.write(contentsOf: data)
                } else {
                    try AtomicFile.write(data, to: path)
                }
            }
        }
    }
}
