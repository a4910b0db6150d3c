/// Reads fixed-size integers and floats from a byte array, checking bounds, in either
/// byte order; every failure names the file and the offset.
struct ByteReader {
    let bytes: [UInt8]
    let file: String
    var offset: Int
    var bigEndian: Bool

    init(_ bytes: [UInt8], file: String, offset: Int = 0, bigEndian: Bool = false) {
        self.bytes = bytes
        self.file = file
        self.offset = offset
        self.bigEndian = bigEndian
    }

    var remaining: Int { bytes.count - offset }

    func truncated(_ what: String) -> DatasetError {
        DatasetError(.malformed, file: file, "truncated: \(what) at byte \(offset) runs past the end (\(bytes.count) bytes)")
    }

    mutating func skip(_ count: Int, _ what: String) throws(DatasetError) {
        guard count >= 0, count <= remaining else { throw truncated(what) }
        offset += count
    }

    mutating func take(_ count: Int, _ what: String) throws(DatasetError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw truncated(what) }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    /// An unsigned integer of `width` bytes at the current offset.
    mutating func unsigned(_ width: Int, _ what: String) throws(DatasetError) -> UInt64 {
        let slice = try take(width, what)
        return Self.decode(slice, bigEndian: bigEndian)
    }

    mutating func uint32(_ what: String) throws(DatasetError) -> UInt32 { UInt32(try unsigned(4, what)) }

    static func decode(_ slice: ArraySlice<UInt8>, bigEndian: Bool) -> UInt64 {
        var value: UInt64 = 0
        if bigEndian {
            for byte in slice { value = value << 8 | UInt64(byte) }
        } else {
            for byte in slice.reversed() { value = value << 8 | UInt64(byte) }
        }
        return value
    }
}
