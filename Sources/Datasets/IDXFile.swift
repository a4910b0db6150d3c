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
    public static func read(_ path: String) throws(DatasetError) -> IDXFile {
        let bytes = try FileBytes.readMaybeGzipped(path)
        var reader = ByteReader(bytes, file: path, bigEndian: true)
        let magic = try reader.take(4, "IDX magic number")
        let m = Array(magic)
        guard m[0] == 0, m[1] == 0 else {
            throw DatasetError(.malformed, file: path, "not an IDX file: magic \(m.map { String($0, radix: 16) }) does not start with 00 00")
        }
        let widths: [UInt8: Int] = [0x08: 1, 0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8]
        guard let width = widths[m[2]] else {
            throw DatasetError(.malformed, file: path, "not an IDX file: unknown element type 0x\(String(m[2], radix: 16))")
        }
        let rank = Int(m[3])
        guard rank >= 1 else { throw DatasetError(.malformed, file: path, "IDX file with 0 dimensions") }
        var dimensions: [Int] = []
        for axis in 0..<rank {
            dimensions.append(Int(try reader.uint32("size of dimension \(axis)")))
        }
        let count = dimensions.reduce(1, *)
        guard reader.remaining == count * width else {
            let problem = reader.remaining < count * width ? "truncated" : "has trailing bytes"
            throw DatasetError(.malformed, file: path,
                               "\(problem): dimensions \(dimensions.map(String.init).joined(separator: "×")) need \(count * width) data bytes, found \(reader.remaining)")
        }
        var values = [Double](repeating: 0, count: count)
        let start = reader.offset
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
}
