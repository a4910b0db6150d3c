import CDeflate
import CZlib
import HDF5

extension RunCompaction {
    /// What inflates a stored chunk: libdeflate where the system has it, else zlib (the
    /// same bytes; libdeflate about twice as fast), or zlib always.
    package enum Inflater: Sendable {
        case fastest
        case zlib

        /// The library ``fastest`` uses here: `libdeflate` or `zlib`.
        package static var fastestAvailable: String { ip_libdeflate_available() == 1 ? "libdeflate" : "zlib" }
    }

    /// Row `index` of a dataset stored the way compaction stores activations (one row
    /// per chunk, `[1, rest…]`; byte-shuffled then deflated, deflated alone, or
    /// unfiltered; in exactly `T`'s type), read as its stored bytes (`H5Dread_chunk`)
    /// and inflated here: outside HDF5's global lock, so that rows read on several
    /// threads inflate on several cores at once (HDF5's own filter pipeline runs under
    /// its lock, one chunk at a time in the process). nil for any other layout, which
    /// is read through HDF5.
    ///
    /// The stored size is checked against zlib's bound for the row before anything is
    /// allocated, and the stream must inflate to exactly the row, its Adler-32 checked
    /// (by libdeflate where the system has it, twice as fast as zlib, else by zlib; see
    /// ``Inflater``): a damaged chunk is a ``RunFileError`` naming the dataset and row.
    package static func storedRow<T: H5Element>(_ dataset: H5Dataset, _ index: Int, as type: T.Type,
                                                inflater: Inflater = .fastest) throws -> [T]? {
        let shape = try dataset.shape()
        guard let rows = shape.first, index >= 0, index < rows, try dataset.chunkShape() == [1] + shape.dropFirst() else { return nil }
        let filters = try dataset.filterPipeline()
        let (shuffle, deflate) = (2, 1)
        guard filters == [shuffle, deflate] || filters == [deflate] || filters.isEmpty, dataset.stores(T.self) else { return nil }
        let elements = shape.dropFirst().reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        let (rowBytes, overflow) = elements.multipliedReportingOverflow(by: MemoryLayout<T>.size)
        guard !overflow, elements > 0, rowBytes <= Int(UInt32.max) else { return nil }
        var (bytes, skipped) = try dataset.readRawChunk(at: [index] + [Int](repeating: 0, count: shape.count - 1),
                                                       limit: filters.contains(deflate) ? Int(compressBound(uLong(rowBytes))) : rowBytes)
        func damaged(_ why: String) -> RunFileError {
            RunFileError(file: dataset.filePath, "the stored chunk of \(dataset.path) at row \(index) \(why)")
        }
        for (position, filter) in filters.enumerated().reversed() where skipped & (1 << UInt32(position)) == 0 {
            if filter == deflate {
                var output = [UInt8](repeating: 0, count: rowBytes)
                let fast = inflater == .fastest ? ip_libdeflate_zlib_inflate(bytes, bytes.count, &output, rowBytes) : -1
                if fast == -1 {
                    var length = uLong(rowBytes)
                    let status = uncompress(&output, &length, bytes, uLong(bytes.count))
                    guard status == Z_OK, Int(length) == rowBytes else {
                        throw damaged("does not inflate to its \(rowBytes) bytes (zlib status \(status))")
                    }
                } else if fast != 0 {
                    throw damaged("does not inflate to its \(rowBytes) bytes (libdeflate result \(fast))")
                }
                bytes = output
            } else {
                bytes = unshuffled(bytes, elementSize: MemoryLayout<T>.size)
            }
        }
        guard bytes.count == rowBytes else { throw damaged("holds \(bytes.count) bytes, not the row's \(rowBytes)") }
        return [T](unsafeUninitializedCapacity: elements) { buffer, initialized in
            bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
            initialized = elements
        }
    }

    /// The inverse of HDF5's shuffle filter (``shuffleAndDeflate(_:elementSize:level:)``):
    /// byte k of element e back from position k × count + e.
    static func unshuffled(_ bytes: [UInt8], elementSize: Int) -> [UInt8] {
        let count = bytes.count / max(elementSize, 1)
        guard elementSize > 1, count > 1 else { return bytes }
        var output = bytes   // a trailing partial element stays where it is, as HDF5 leaves it
        bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { result in
                for byte in 0..<elementSize {
                    let base = byte * count
                    for element in 0..<count { result[element * elementSize + byte] = input[base + element] }
                }
            }
        }
        return output
    }
}
