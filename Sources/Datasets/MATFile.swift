import HDF5

/// A numeric or logical array read from a MATLAB .mat file.
public struct MATArray: Sendable, Equatable {
    /// MATLAB's array classes that this reader returns (cell, struct, char, sparse and
    /// object arrays are reported as unsupported).
    public enum Class: String, Sendable {
        case double, single, int8, uint8, int16, uint16, int32, uint32, int64, uint64, logical
    }

    public var name: String
    /// MATLAB's dimensions, e.g. `[4096, 12]` for a 4096×12 matrix.
    public var dimensions: [Int]
    public var matlabClass: Class
    /// The real part in MATLAB's column-major order, converted to `Double`.
    public var values: [Double]

    public var count: Int { values.count }

    /// A 2-D array as row-major `[rows, columns]` values.
    public func rowMajor() -> (rows: Int, columns: Int, values: [Double]) {
        let rows = dimensions.first ?? 0
        let columns = dimensions.dropFirst().reduce(1, *)
        var out = [Double](repeating: 0, count: values.count)
        for c in 0..<columns {
            for r in 0..<rows {
                out[r * columns + c] = values[c * rows + r]
            }
        }
        return (rows, columns, out)
    }
}

/// Reads MATLAB .mat files: level 5 (v5, v6, v7 — with zlib-compressed elements) by a
/// reader written here, and v7.3 (which is HDF5) through the `HDF5` module.
///
/// Level 5 format (MathWorks, "MAT-File Format", 2019): a 128-byte header (116 bytes of
/// text, 8 bytes of subsystem offset, version 0x0100, endian indicator "IM"), then
/// data elements, each an 8-byte tag (type, byte count) or a 4-byte *small element*
/// tag, padded to 8 bytes. `miCOMPRESSED` (15) elements hold a zlib stream of further
/// elements; `miMATRIX` (14) holds array flags, dimensions, name, and the real (and
/// imaginary) part, whose storage type may differ from the array class (var_u's `y`
/// is class double stored as uint8).
public enum MATFile {
    /// Reads every numeric and logical variable of the file.
    public static func read(_ path: String) throws(DatasetError) -> [String: MATArray] {
        let bytes = try FileBytes.read(path)
        guard bytes.count >= 128 else {
            throw DatasetError(.malformed, file: path, "not a MAT file: \(bytes.count) bytes, shorter than the 128-byte header")
        }
        let text = String(decoding: bytes[0..<116], as: UTF8.self)
        if text.hasPrefix("MATLAB 7.3") || (bytes[0] == 0x89 && bytes[1] == 0x48) {
            return try readHDF5(path)
        }
        guard text.hasPrefix("MATLAB 5.0") else {
            throw DatasetError(.malformed, file: path, "not a MAT file: the header does not start with \"MATLAB 5.0\" or \"MATLAB 7.3\"")
        }
        let endian = String(decoding: bytes[126..<128], as: UTF8.self)
        guard endian == "IM" || endian == "MI" else {
            throw DatasetError(.malformed, file: path, "bad endian indicator \"\(endian)\" in the MAT header")
        }
        var reader = ByteReader(bytes, file: path, offset: 128, bigEndian: endian == "MI")
        var arrays: [String: MATArray] = [:]
        while reader.remaining >= 8 {
            if let array = try readElement(&reader, topLevel: true) {
                arrays[array.name] = array
            }
        }
        return arrays
    }

    /// Reads one named variable.
    public static func read(_ path: String, variable: String) throws(DatasetError) -> MATArray {
        let arrays = try read(path)
        guard let array = arrays[variable] else {
            throw DatasetError(.inconsistent, file: path,
                               "no variable \"\(variable)\" (the file has: \(arrays.keys.sorted().joined(separator: ", ")))")
        }
        return array
    }

    // MARK: Level 5

    private enum DataType: UInt32 {
        case int8 = 1, uint8 = 2, int16 = 3, uint16 = 4, int32 = 5, uint32 = 6, single = 7
        case double = 9, int64 = 12, uint64 = 13, matrix = 14, compressed = 15
        case utf8 = 16, utf16 = 17, utf32 = 18

        var width: Int? {
            switch self {
            case .int8, .uint8, .utf8: return 1
            case .int16, .uint16, .utf16: return 2
            case .int32, .uint32, .single, .utf32: return 4
            case .double, .int64, .uint64: return 8
            case .matrix, .compressed: return nil
            }
        }
    }

    /// Reads a tag; returns the type and the byte count, and whether it was a small element.
    private static func readTag(_ reader: inout ByteReader) throws(DatasetError) -> (type: UInt32, count: Int, small: Bool) {
        let first = try reader.uint32("data element tag")
        if first >> 16 != 0 {
            return (first & 0xFFFF, Int(first >> 16), true)
        }
        let count = try reader.uint32("data element size")
        return (first, Int(count), false)
    }

    /// Reads one top-level or nested element; returns an array for numeric `miMATRIX`
    /// elements, nil for elements it skips.
    private static func readElement(_ reader: inout ByteReader, topLevel: Bool) throws(DatasetError) -> MATArray? {
        let start = reader.offset
        let tag = try readTag(&reader)
        guard let type = DataType(rawValue: tag.type) else {
            throw DatasetError(.malformed, file: reader.file, "unknown data element type \(tag.type) at byte \(start)")
        }
        switch type {
        case .compressed:
            let compressed = try reader.take(tag.count, "compressed element")
            // The inner element's tag first; then no more than its byte count promises.
            let head = try Inflate.decompress(compressed, container: .zlib, file: reader.file, limit: 8, overflow: .truncate)
            var headReader = ByteReader(head, file: reader.file, bigEndian: reader.bigEndian)
            let innerTag = try readTag(&headReader)
            let promised = (innerTag.small ? 8 : 8 + innerTag.count + 7)
            guard promised <= Inflate.ceiling(forCompressedBytes: tag.count) else {
                throw DatasetError(.malformed, file: reader.file,
                                   "compressed element at byte \(start) promises \(innerTag.count) bytes, more than \(tag.count) compressed bytes can hold")
            }
            let inflated = try Inflate.decompress(compressed, container: .zlib, file: reader.file, limit: promised)
            var inner = ByteReader(inflated, file: reader.file, bigEndian: reader.bigEndian)
            return try readElement(&inner, topLevel: topLevel)
        case .matrix:
            let body = try reader.take(tag.count, "matrix element")
            try skipPadding(&reader, count: tag.count, small: tag.small)
            var inner = ByteReader(Array(body), file: reader.file, bigEndian: reader.bigEndian)
            return try readMatrix(&inner)
        default:
            try reader.skip(tag.small ? 4 : tag.count, "data element")
            if !tag.small { try skipPadding(&reader, count: tag.count, small: false) }
            return nil
        }
    }

    private static func skipPadding(_ reader: inout ByteReader, count: Int, small: Bool) throws(DatasetError) {
        guard !small else { return }
        let padding = (8 - count % 8) % 8
        // The last element of a file may omit its padding.
        try reader.skip(min(padding, reader.remaining), "padding")
    }

    /// Reads a sub-element's raw bytes (handles small elements and padding).
    private static func readSubelement(_ reader: inout ByteReader, _ what: String) throws(DatasetError) -> (type: DataType, bytes: ArraySlice<UInt8>) {
        let tag = try readTag(&reader)
        guard let type = DataType(rawValue: tag.type) else {
            throw DatasetError(.malformed, file: reader.file, "unknown type \(tag.type) in the \(what)")
        }
        if tag.small {
            guard tag.count <= 4 else {
                throw DatasetError(.malformed, file: reader.file, "small element of \(tag.count) bytes in the \(what)")
            }
            let slot = try reader.take(4, what)
            return (type, slot.prefix(tag.count))
        }
        let bytes = try reader.take(tag.count, what)
        try skipPadding(&reader, count: tag.count, small: false)
        return (type, bytes)
    }

    private static func readMatrix(_ reader: inout ByteReader) throws(DatasetError) -> MATArray? {
        let file = reader.file
        if reader.remaining == 0 { return nil }  // an empty matrix element
        let flags = try readSubelement(&reader, "array flags")
        guard flags.bytes.count >= 4 else {
            throw DatasetError(.malformed, file: file, "array flags of \(flags.bytes.count) bytes")
        }
        let flagWord = UInt32(ByteReader.decode(flags.bytes.prefix(4), bigEndian: reader.bigEndian))
        let classCode = flagWord & 0xFF
        let isComplex = flagWord & 0x0800 != 0
        let isLogical = flagWord & 0x0200 != 0

        let dimsElement = try readSubelement(&reader, "dimensions")
        let dimensions = try decodeDimensions(dimsElement, file: file, bigEndian: reader.bigEndian)
        let nameElement = try readSubelement(&reader, "array name")
        let name = String(decoding: nameElement.bytes, as: UTF8.self)

        let classes: [UInt32: MATArray.Class] = [6: .double, 7: .single, 8: .int8, 9: .uint8, 10: .int16,
                                                 11: .uint16, 12: .int32, 13: .uint32, 14: .int64, 15: .uint64]
        let names: [UInt32: String] = [1: "cell", 2: "struct", 3: "object", 4: "char", 5: "sparse"]
        guard var matlabClass = classes[classCode] else {
            let kind = names[classCode] ?? "class \(classCode)"
            throw DatasetError(.unsupported, file: file, "variable \"\(name)\" is a \(kind) array; only numeric and logical arrays are read")
        }
        if isLogical { matlabClass = .logical }
        if isComplex {
            throw DatasetError(.unsupported, file: file, "variable \"\(name)\" is complex; only real arrays are read")
        }
        let real = try readSubelement(&reader, "real part of \"\(name)\"")
        let values = try decodeNumbers(real, file: file, bigEndian: reader.bigEndian)
        guard let expected = CheckedSize.product(dimensions), values.count == expected else {
            throw DatasetError(.malformed, file: file,
                               "variable \"\(name)\" has \(values.count) values for dimensions \(dimensions.map(String.init).joined(separator: "×"))")
        }
        return MATArray(name: name, dimensions: dimensions, matlabClass: matlabClass, values: values)
    }

    /// Decodes dimensions: whole numbers in 0...2³¹ − 1 (MATLAB's int32 sizes) whose
    /// product does not overflow.
    private static func decodeDimensions(_ element: (type: DataType, bytes: ArraySlice<UInt8>), file: String, bigEndian: Bool) throws(DatasetError) -> [Int] {
        let values = try decodeNumbers(element, file: file, bigEndian: bigEndian)
        var dimensions: [Int] = []
        for value in values {
            guard value.isFinite, value >= 0, value <= Double(Int32.max), value == value.rounded() else {
                throw DatasetError(.malformed, file: file, "array dimension \(value) is not a size (a whole number in 0...\(Int32.max))")
            }
            dimensions.append(Int(value))
        }
        guard CheckedSize.product(dimensions) != nil else {
            throw DatasetError(.malformed, file: file, "array dimensions \(dimensions.map(String.init).joined(separator: "×")) overflow")
        }
        return dimensions
    }

    /// Decodes a numeric sub-element of any storage type to `Double`.
    private static func decodeNumbers(_ element: (type: DataType, bytes: ArraySlice<UInt8>), file: String, bigEndian: Bool) throws(DatasetError) -> [Double] {
        guard let width = element.type.width, element.type.rawValue <= 13 else {
            throw DatasetError(.malformed, file: file, "numeric data stored as non-numeric type \(element.type)")
        }
        guard element.bytes.count % width == 0 else {
            throw DatasetError(.malformed, file: file, "\(element.bytes.count) bytes is not a whole number of \(width)-byte values")
        }
        let count = element.bytes.count / width
        var values = [Double](repeating: 0, count: count)
        let base = element.bytes.startIndex
        for i in 0..<count {
            let raw = ByteReader.decode(element.bytes[(base + i * width)..<(base + (i + 1) * width)], bigEndian: bigEndian)
            switch element.type {
            case .int8: values[i] = Double(Int8(truncatingIfNeeded: raw))
            case .uint8: values[i] = Double(UInt8(truncatingIfNeeded: raw))
            case .int16: values[i] = Double(Int16(truncatingIfNeeded: raw))
            case .uint16: values[i] = Double(UInt16(truncatingIfNeeded: raw))
            case .int32: values[i] = Double(Int32(truncatingIfNeeded: raw))
            case .uint32: values[i] = Double(UInt32(truncatingIfNeeded: raw))
            case .int64: values[i] = Double(Int64(bitPattern: raw))
            case .uint64: values[i] = Double(raw)
            case .single: values[i] = Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw)))
            case .double: values[i] = Double(bitPattern: raw)
            default: break
            }
        }
        return values
    }

    // MARK: v7.3 (HDF5)

    /// MATLAB v7.3 files are HDF5 with each variable a dataset at the root; HDF5's
    /// row-major dimensions are MATLAB's reversed, so the stored order is already
    /// MATLAB's column-major order.
    private static func readHDF5(_ path: String) throws(DatasetError) -> [String: MATArray] {
        do {
            let file = try H5File.open(path)
            var arrays: [String: MATArray] = [:]
            for name in try file.childNames() where file.isDataset(name) {
                let dataset = try file.dataset(name)
                let className = dataset.hasAttribute("MATLAB_class") ? try dataset.stringAttribute("MATLAB_class") : "double"
                guard let matlabClass = MATArray.Class(rawValue: className) else { continue }
                let dimensions = Array(try dataset.shape().reversed())
                arrays[name] = MATArray(name: name, dimensions: dimensions, matlabClass: matlabClass,
                                        values: try dataset.read(as: Double.self))
            }
            return arrays
        } catch {
            throw DatasetError(.malformed, file: path, "MAT v7.3 (HDF5): \(error)")
        }
    }
}
