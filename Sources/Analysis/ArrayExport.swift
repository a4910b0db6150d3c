import Foundation

/// A `[rows, columns]` float32 array written for other tools: NumPy's `.npy` (format 1.0,
/// little-endian `<f4`, C order) or CSV with a header of column names.
package enum ArrayExport {
    package enum Format: Sendable {
        case npy, csv
        /// `.npy` by extension, CSV otherwise.
        package init(path: String) { self = path.hasSuffix(".npy") ? .npy : .csv }
    }

    /// The bytes of a `.npy` file: magic, version 1.0, a header padded to 64 bytes, data.
    package static func npy(_ values: [Float], rows: Int, columns: Int) -> Data {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        data.append(contentsOf: [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBufferPointer { data.append(Data(buffer: $0)) }
        return data
    }

    /// CSV text: a header `unit0,unit1,…`, then one line per row.
    package static func csv(_ values: [Float], rows: Int, columns: Int) -> Data {
        var lines = [(0..<columns).map { "unit\($0)" }.joined(separator: ",")]
        for r in 0..<rows {
            lines.append((0..<columns).map { "\(values[r * columns + $0])" }.joined(separator: ","))
        }
        return Data((lines.joined(separator: "\n") + "\n").utf8)
    }
}
