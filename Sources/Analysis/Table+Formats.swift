import Foundation
import HDF5
import Recording
import SafeFiles

/// The file formats `infoplane export` writes, chosen by extension or `--format`.
package enum ExportFormat: String, Sendable, CaseIterable {
    case csv, npy, hdf5, mat

    /// The format an output path's extension names; nil for an unknown extension.
    /// `.h5`, `.hdf5`, `.nc` are HDF5 (netCDF-4 compatible); `-` (stdout) is CSV.
    package init?(path: String) {
        if path == "-" { self = .csv; return }
        switch (path as NSString).pathExtension.lowercased() {
        case "csv", "txt": self = .csv
        case "npy": self = .npy
        case "h5", "hdf5", "nc": self = .hdf5
        case "mat": self = .mat
        default: return nil
        }
    }

    /// Parses `--format`.
    package init?(argument: String) {
        switch argument.lowercased() {
        case "csv": self = .csv
        case "npy": self = .npy
        case "h5", "hdf5", "nc", "netcdf": self = .hdf5
        case "mat", "matlab": self = .mat
        default: return nil
        }
    }
}

extension Table {
    /// CSV with a header row; fields holding a comma, quote or newline are quoted.
    package func csv() -> String {
        var lines = [columns.map { AnalysisFile.field($0.name) }.joined(separator: ",")]
        lines.reserveCapacity(rowCount + 1)
        for row in 0..<rowCount {
            lines.append(columns.map { $0.values.text(row) }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// An HDF5 file readable as netCDF-4: every column a 1-D variable over the dimension
    /// `row` (a coordinate 0…n−1), with `long_name` and `units`; strings as variable-length
    /// UTF-8. Built under a temporary name and renamed into place.
    package func writeHDF5(to path: String) throws {
        try OutputFile.replaceAtomically(path) { temporary in
            let file = try H5File.create(temporary, overwrite: true)
            for (key, value) in attributes.sorted(by: { $0.key < $1.key }) { try file.setAttribute(key, value) }
            let row = try file.writeDataset("row", (0..<rowCount).map(Int64.init))
            try row.makeDimensionScale(named: "row")
            try row.setAttribute("long_name", "row of the table")
            for column in columns {
                let dataset: H5Dataset
                switch column.values {
                case .int(let values): dataset = try file.writeDataset(column.name, values)
                case .double(let values): dataset = try file.writeDataset(column.name, values)
                case .string(let values): dataset = try file.writeStrings(column.name, values)
                }
                try dataset.attach([row])
                if let longName = column.longName { try dataset.setAttribute("long_name", longName) }
                if let units = column.units { try dataset.setAttribute("units", units) }
            }
            try file.flush()
        }
    }

    /// A MATLAB v7.3 MAT-file (HDF5 with a 512-byte user block holding MATLAB's header):
    /// every column a variable (named as MATLAB allows: `model.widths` → `model_widths`), numbers as `n×1` double or int64 column vectors, strings
    /// as `n×m` char matrices (one string per row, padded with spaces).
    package func writeMAT(to path: String) throws {
        try OutputFile.replaceAtomically(path) { temporary in
            try MATWriter.write(temporary) { file in
                for column in columns {
                    let name = MATWriter.variableName(column.name)
                    switch column.values {
                    case .int(let values): try MATWriter.vector(values, named: name, in: file)
                    case .double(let values): try MATWriter.vector(values, named: name, in: file)
                    case .string(let values): try MATWriter.strings(values, named: name, in: file)
                    }
                }
            }
        }
    }

    /// Writes the table in `format` to `path` (`-`: CSV to standard output).
    package func write(to path: String, format: ExportFormat) throws {
        switch format {
        case .csv:
            if path == "-" {
                try FileHandle.standardOutput.write(contentsOf: Data(csv().utf8))
            } else {
                try AtomicFile.write(csv(), to: path)
            }
        case .hdf5: try writeHDF5(to: path)
        case .mat: try writeMAT(to: path)
        case .npy:
            throw AnalysisError(file: path, "a table of mixed columns has no .npy form; write .csv, .h5/.nc or .mat")
        }
    }
}

/// MATLAB v7.3 MAT-files: HDF5 with a 512-byte user block whose first 128 bytes are
/// MATLAB's header (116 bytes of text, 8 of subsystem offset, version 0x0200, `IM`), and
/// a `MATLAB_class` attribute on every variable. MATLAB reads dimensions in reverse (it is
/// column-major): an HDF5 dataset `[a, b]` is an `b×a` MATLAB array.
package enum MATWriter {
    package static func write(_ path: String, _ body: (H5File) throws -> Void) throws {
        do {
            let file = try H5File.create(path, overwrite: true, userBlock: 512)
            try body(file)
            try file.flush()
        }
        var header = "MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: \(ISO8601DateFormatter().string(from: Date())) HDF5 schema 1.00 ."
        header = String(header.prefix(116)).padding(toLength: 116, withPad: " ", startingAt: 0)
        var bytes = Array(header.utf8) + [UInt8](repeating: 0, count: 8) + [0x00, 0x02] + Array("IM".utf8)
        bytes += [UInt8](repeating: 0, count: 512 - bytes.count)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw AnalysisError(file: path, "cannot write the MAT header") }
        defer { try? handle.close() }
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: Data(bytes))
    }

    /// A valid MATLAB variable name for a column: every character but letters, digits and
    /// `_` becomes `_` (`model.widths` → `model_widths`), and a leading non-letter gets `x`.
    package static func variableName(_ name: String) -> String {
        var out = String(name.map { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" ? $0 : "_" })
        if !(out.first.map { $0.isASCII && $0.isLetter } ?? false) { out = "x" + out }
        return String(out.prefix(63))
    }

    /// A column vector (MATLAB `n×1`): HDF5 shape `[1, n]`.
    package static func vector<T: H5Element>(_ values: [T], named name: String, in file: H5File) throws {
        try array(values, shape: [1, values.count], named: name, in: file)
    }

    /// An array whose HDF5 shape is `shape` (MATLAB sees it reversed).
    package static func array<T: H5Element>(_ values: [T], shape: [Int], named name: String, in file: H5File) throws {
        let dataset = try file.writeDataset(name, values, shape: shape)
        try dataset.setFixedStringAttribute("MATLAB_class", matlabClass(T.self))
    }

    /// Strings as a char matrix, one per row (MATLAB `n×m`): HDF5 `[m, n]` of UTF-16 code units.
    package static func strings(_ values: [String], named name: String, in file: H5File) throws {
        let units = values.map { Array($0.utf16) }
        let width = max(1, units.map(\.count).max() ?? 1)
        // Column-major n×m: element (i, j) at j·n + i, i.e. HDF5 row j holds character j of every string.
        var flat = [UInt16](repeating: 0x20, count: width * values.count)
        for (i, string) in units.enumerated() { for (j, unit) in string.enumerated() { flat[j * values.count + i] = unit } }
        let dataset = try file.writeDataset(name, flat, shape: [width, values.count])
        try dataset.setFixedStringAttribute("MATLAB_class", "char")
        try dataset.setAttribute("MATLAB_int_decode", Int32(2))
    }

    static func matlabClass<T>(_ type: T.Type) -> String {
        switch type {
        case is Double.Type: return "double"
        case is Float.Type: return "single"
        case is Int64.Type: return "int64"
        case is Int32.Type: return "int32"
        case is UInt8.Type: return "uint8"
        case is Int8.Type: return "int8"
        case is UInt16.Type: return "uint16"
        case is Int16.Type: return "int16"
        default: return "double"
        }
    }
}
