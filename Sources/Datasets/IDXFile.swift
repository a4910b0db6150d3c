/// An array read from an IDX file (the MNIST format, LeCun et al.), optionally gzipped.
///
/// Format: magic `00 00 TT NN` (TT the element type: 0x08 uint8, 0x09 int8, 0x0B int16,
/// 0x0C int32, 0x0D float32, 0x0E float64; NN the number of dimensions), then NN
/// big-endian uint32 dimension sizes, then the values, big-endian, row-major.
public struct IDXFile: Sendable, Equatable {
    public var dimensions: [Int]
    /// The values converted to `Double`, row-major.
    public var values: [Double]
    /// Whether the file stores unsigned bytes (images are then scaled by 1/255).
    public var isUnsignedByte: Bool

    /// Reads an IDX file, gunzipping it first when it starts with the gzip magic.
    ///
    /// The header's sizes are checked before anything is allocated: their product must
    /// not overflow and must match the bytes the file holds (for a gzipped file, the
    /// stream is inflated no further than the header promises).
    public static func read(_ path: String) throws(DatasetError) -> IDXFile {
        let raw = try FileBytes.read(path)
        let bytes: [UInt8]
        if FileBytes.isGzip(raw) {
            // The header first (magic + at most 255 dimensions), then exactly what it promises.
            let head = try Inflate.decompress(raw[...], container: .gzip, file: path, limit: 4 + 4 * 255, overflow: .truncate)
            let header = try Header.parse(head, file: path, available: nil)
            guard let total = header.dataBytes.flatMap({ $0.addingReportingOverflow(header.length).overflow ? nil : $0 + header.length }),
                  total <= Inflate.ceiling(forCompressedBytes: raw.count) else {
                throw DatasetError(.malformed, file: path,
                                   "dimensions \(header.dimensionText) promise more data than \(raw.count) compressed bytes can hold (at most \(Inflate.maximumOutput) bytes inflate)")
            }
            bytes = try Inflate.decompress(raw[...], container: .gzip, file: path, limit: total)
        } else {
            bytes = raw
        }
        let header = try Header.parse(bytes, file: path, available: bytes.count)
        let m = header.magic
        let width = header.width
        let dimensions = header.dimensions
        let count = header.count
        var values = [Double](repeating: 0, count: count)
        let start = header.length
        bytes.withUnsafeBufferPointer { buffer in
            for i in 0..<count {
                let at = start + i * width
                switch m[2] {
                case 0x08: values[i] = Double(buffer[at])
                case 0x09: values[i] = Double(Int8(bitPattern: buffer[at]))
                default:
                    var raw: UInt64 = 0
                    for b in 0..<width { raw = raw << 8 | UInt64(buffer[at + b]) }
                    switch m[2] {
                    case 0x0B: values[i] = Double(Int16(truncatingIfNeeded: raw))
                    case 0x0C: values[i] = Double(Int32(truncatingIfNeeded: raw))
                    case 0x0D: values[i] = Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw)))
                    default: values[i] = Double(bitPattern: raw)
                    }
                }
            }
        }
        return IDXFile(dimensions: dimensions, values: values, isUnsignedByte: m[2] == 0x08)
    }

    /// The magic number and dimensions, checked.
    struct Header {
        var magic: [UInt8]
        var width: Int
        var dimensions: [Int]
        /// Bytes of the header (magic and sizes).
        var length: Int
        /// Elements, nil when the product overflows.
        var count: Int
        var dataBytes: Int?
        var dimensionText: String { dimensions.map(String.init).joined(separator: "×") }

        /// Parses the header; with `available`, also checks that the data bytes after it
        /// are exactly what the dimensions need.
        static func parse(_ bytes: [UInt8], file: String, available: Int?) throws(DatasetError) -> Header {
            var reader = ByteReader(bytes, file: file, bigEndian: true)
            let m = Array(try reader.take(4, "IDX magic number"))
            guard m[0] == 0, m[1] == 0 else {
                throw DatasetError(.malformed, file: file, "not an IDX file: magic \(m.map { String($0, radix: 16) }) does not start with 00 00")
            }
            let widths: [UInt8: Int] = [0x08: 1, 0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8]
            guard let width = widths[m[2]] else {
                throw DatasetError(.malformed, file: file, "not an IDX file: unknown element type 0x\(String(m[2], radix: 16))")
            }
            let rank = Int(m[3])
            guard rank >= 1 else { throw DatasetError(.malformed, file: file, "IDX file with 0 dimensions") }
            var dimensions: [Int] = []
            for axis in 0..<rank {
                dimensions.append(Int(try reader.uint32("size of dimension \(axis)")))
            }
            let text = dimensions.map(String.init).joined(separator: "×")
            guard let count = CheckedSize.product(dimensions), let data = CheckedSize.product([count, width]) else {
                throw DatasetError(.malformed, file: file, "dimensions \(text) overflow: not a valid IDX header")
            }
            if let available {
                let remaining = available - reader.offset
                guard remaining == data else {
                    let problem = remaining < data ? "truncated" : "has trailing bytes"
                    throw DatasetError(.malformed, file: file,
                                       "\(problem): dimensions \(text) need \(data) data bytes, found \(remaining)")
                }
            }
            return Header(magic: m, width: width, dimensions: dimensions, length: reader.offset, count: count, dataBytes: data)
        }
    }
}
