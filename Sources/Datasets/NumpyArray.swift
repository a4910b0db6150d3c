import HDF5

/// One array in numpy's `.npy` format (format versions 1.0, 2.0 and 3.0), parsed from
/// bytes and checked: the header's shape must account for exactly the bytes that follow.
///
/// Format: the magic `\x93NUMPY`, a major and minor version byte, the header length
/// (2 bytes little-endian for 1.0, 4 for 2.0 and 3.0), then a Python dict literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (60000, 28, 28), }` and the raw
/// data (numpy's NEP 1 "A simple file format for NumPy arrays").
///
/// Supported element types: floats of 2, 4 and 8 bytes, signed and unsigned integers of
/// 1, 2, 4 and 8 bytes, booleans; either byte order. Object arrays, structured types and
/// strings are refused naming the type.
public struct NumpyArray: Sendable {
    public enum Kind: Character, Sendable { case float = "f", signed = "i", unsigned = "u", boolean = "b" }

    /// The array's shape, C order (a Fortran-ordered file is transposed when read).
    public var shape: [Int]
    public var kind: Kind
    /// Bytes per element.
    public var width: Int
    /// The type as the file spells it (`<f4`), for messages.
    public var descr: String
    private var values: [Double]

    /// The elements in C (row-major) order, as Float.
    public func floats() -> [Float] { values.map { Float($0) } }
    /// The elements in C (row-major) order, as Double (exact for every supported integer
    /// type up to 2^53).
    public func doubles() -> [Double] { values }
    public var count: Int { values.count }

    /// Parses `.npy` bytes; `file` names the source in errors (for an `.npz` member,
    /// `archive.npz:name.npy`).
    /// - Complexity: O(bytes); memory: one Double per element.
    public init(bytes: ArraySlice<UInt8>, file: String) throws(DatasetError) {
        let data = Array(bytes)
        var reader = ByteReader(data, file: file)
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard Array(try reader.take(6, "the .npy magic")) == magic else {
            throw DatasetError(.malformed, file: file, "not a .npy array (no \\x93NUMPY magic)")
        }
        let major = try reader.unsigned(1, "the format version")
        _ = try reader.unsigned(1, "the format version")
        let headerLength: Int
        switch major {
        case 1: headerLength = Int(try reader.unsigned(2, "the header length"))
        case 2, 3: headerLength = Int(try reader.unsigned(4, "the header length"))
        default: throw DatasetError(.unsupported, file: file, ".npy format version \(major) (1, 2 and 3 are supported)")
        }
        guard headerLength <= 1 << 20 else {
            throw DatasetError(.malformed, file: file, "a header of \(headerLength) bytes (numpy writes a few hundred)")
        }
        let header = String(decoding: try reader.take(headerLength, "the header"), as: UTF8.self)
        let fields = try Self.parseHeader(header, file: file)
        descr = fields.descr
        var type = Substring(fields.descr)
        var bigEndian = false
        if let order = type.first, "<>|=".contains(order) {
            bigEndian = order == ">"
            type = type.dropFirst()
        }
        guard let code = type.first, let kind = Kind(rawValue: code), let width = Int(type.dropFirst()),
              [1, 2, 4, 8].contains(width), kind != .float || width >= 2, kind != .boolean || width == 1 else {
            throw DatasetError(.unsupported, file: file, "element type '\(fields.descr)' (floats, integers and booleans are supported)")
        }
        self.kind = kind
        self.width = width
        guard let count = CheckedSize.product(fields.shape), let byteCount = CheckedSize.product([count, width]) else {
            throw DatasetError(.malformed, file: file, "shape \(fields.shape) is not a valid size")
        }
        // One Double per element, and the caller's Float copy: within the read limit.
        guard let memory = CheckedSize.product([count, 12]), memory <= H5ReadLimit.maximumBytes else {
            throw DatasetError(.unsupported, file: file, "\(count) elements would need more than half the memory")
        }
        guard byteCount == reader.remaining else {
            throw DatasetError(.malformed, file: file, "shape \(fields.shape) of '\(fields.descr)' needs \(byteCount) bytes of data, the file has \(reader.remaining)")
        }
        var decoded = [Double](repeating: 0, count: count)
        var offset = reader.offset
        for i in 0..<count {
            let bits = ByteReader.decode(data[offset..<(offset + width)], bigEndian: bigEndian)
            offset += width
            decoded[i] = Self.value(bits, kind: kind, width: width)
        }
        if fields.fortranOrder && fields.shape.count > 1 {
            decoded = Self.cOrder(fromFortran: decoded, shape: fields.shape)
        }
        shape = fields.shape
        values = decoded
    }

    static func value(_ bits: UInt64, kind: Kind, width: Int) -> Double {
        switch kind {
        case .float:
            switch width {
            case 2: return Double(Float(Float16(bitPattern: UInt16(truncatingIfNeeded: bits))))
            case 4: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
            default: return Double(bitPattern: bits)
            }
        case .signed:
            let shift = UInt64(64 - 8 * width)
            return Double(Int64(bitPattern: bits << shift) >> Int64(shift))
        case .unsigned: return Double(bits)
        case .boolean: return bits == 0 ? 0 : 1
        }
    }

    /// Elements stored column-major (`fortran_order: True`) rearranged to row-major.
    static func cOrder(fromFortran values: [Double], shape: [Int]) -> [Double] {
        var result = [Double](repeating: 0, count: values.count)
        var fortranStrides = [Int](repeating: 1, count: shape.count)
        for axis in 1..<shape.count { fortranStrides[axis] = fortranStrides[axis - 1] * shape[axis - 1] }
        var index = [Int](repeating: 0, count: shape.count)
        for c in 0..<values.count {
            var f = 0
            for axis in 0..<shape.count { f += index[axis] * fortranStrides[axis] }
            result[c] = values[f]
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }

    /// The three keys of the header dict; anything else in it is ignored.
    static func parseHeader(_ header: String, file: String) throws(DatasetError) -> (descr: String, fortranOrder: Bool, shape: [Int]) {
        func malformed(_ what: String) -> DatasetError {
            DatasetError(.malformed, file: file, "the .npy header \(what): \(header.prefix(120))")
        }
        func after(_ key: String) -> Substring? {
            for quote in ["'", "\""] {
                if let range = header.range(of: "\(quote)\(key)\(quote)") {
                    var rest = header[range.upperBound...].drop { $0 == " " }
                    guard rest.first == ":" else { return nil }
                    rest = rest.dropFirst().drop { $0 == " " }
                    return rest
                }
            }
            return nil
        }
        guard let descrText = after("descr"), let quote = descrText.first, quote == "'" || quote == "\"",
              let end = descrText.dropFirst().firstIndex(of: quote) else {
            throw descrNotString(after("descr"), malformed: malformed("has no 'descr' string"), file: file)
        }
        let descr = String(descrText[descrText.index(after: descrText.startIndex)..<end])
        guard let fortranText = after("fortran_order") else { throw malformed("has no 'fortran_order'") }
        let fortran: Bool
        if fortranText.hasPrefix("True") { fortran = true } else if fortranText.hasPrefix("False") { fortran = false } else {
            throw malformed("has a 'fortran_order' that is neither True nor False")
        }
        guard let shapeText = after("shape"), shapeText.first == "(", let close = shapeText.firstIndex(of: ")") else {
            throw malformed("has no 'shape' tuple")
        }
        var shape: [Int] = []
        for part in shapeText[shapeText.index(after: shapeText.startIndex)..<close].split(separator: ",") {
            let digits = part.trimmingCharacters(in: " L")
            if digits.isEmpty { continue }
            guard let size = Int(digits), size >= 0 else { throw malformed("has a shape entry '\(part)' that is not a size") }
            shape.append(size)
        }
        guard shape.count <= 32 else { throw malformed("has \(shape.count) dimensions (numpy allows 64, this reader 32)") }
        return (descr, fortran, shape)
    }

    private static func descrNotString(_ text: Substring?, malformed: DatasetError, file: String) -> DatasetError {
        guard let text, text.first == "[" else { return malformed }
        return DatasetError(.unsupported, file: file, "a structured array (descr \(text.prefix(60))…); save plain arrays of numbers")
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> Substring {
        var s = self
        while let c = s.first, set.contains(c) { s = s.dropFirst() }
        while let c = s.last, set.contains(c) { s = s.dropLast() }
        return s
    }
}
