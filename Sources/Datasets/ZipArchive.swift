import CZlib

/// The members of a zip archive (PKWARE APPNOTE 6.3), as `numpy.savez` and
/// `numpy.savez_compressed` write `.npz` files: stored or deflated entries, ZIP64
/// sizes. Read through the central directory; every offset and size is checked against
/// the archive's bytes, a deflated member inflates to at most the size it declares, and
/// each member's CRC-32 is verified.
package struct ZipArchive {
    package struct Entry {
        package var name: String
        var method: Int
        var crc: UInt32
        var compressedSize: Int
        package var size: Int
        var localHeaderOffset: Int
    }

    let bytes: [UInt8]
    let file: String
    package private(set) var entries: [Entry] = []

    /// The most members an archive may list (an `.npz` holds a handful).
    static let maximumEntries = 100_000

    package init(bytes: [UInt8], file: String) throws(DatasetError) {
        self.bytes = bytes
        self.file = file
        // The end-of-central-directory record: 22 bytes plus a comment of at most 65535.
        let lowest = max(0, bytes.count - 22 - 65_535)
        var end = -1
        var position = bytes.count - 22
        while position >= lowest {
            if bytes[position] == 0x50, bytes[position + 1] == 0x4B, bytes[position + 2] == 0x05, bytes[position + 3] == 0x06 {
                end = position
                break
            }
            position -= 1
        }
        guard end >= 0 else { throw DatasetError(.malformed, file: file, "not a zip archive (no end-of-central-directory record); .npz files are zip archives") }
        var reader = ByteReader(bytes, file: file, offset: end + 10)
        var count = Int(try reader.unsigned(2, "the entry count"))
        _ = try reader.unsigned(4, "the central directory size")
        var directory = Int(try reader.unsigned(4, "the central directory offset"))
        if count == 0xFFFF || directory == 0xFFFF_FFFF {
            // ZIP64: the locator (20 bytes) just before the record points at the ZIP64 record.
            var locator = ByteReader(bytes, file: file, offset: max(0, end - 20))
            guard end >= 20, try locator.uint32("the ZIP64 locator") == 0x0706_4B50 else {
                throw DatasetError(.malformed, file: file, "a ZIP64 archive without its locator")
            }
            try locator.skip(4, "the ZIP64 locator")
            let record = try Self.offset(try locator.unsigned(8, "the ZIP64 record offset"), file: file)
            var zip64 = ByteReader(bytes, file: file, offset: record)
            guard try zip64.uint32("the ZIP64 record") == 0x0606_4B50 else {
                throw DatasetError(.malformed, file: file, "the ZIP64 record is not where its locator says")
            }
            try zip64.skip(28, "the ZIP64 record")
            count = try Self.offset(try zip64.unsigned(8, "the ZIP64 entry count"), file: file)
            try zip64.skip(8, "the ZIP64 record")
            directory = try Self.offset(try zip64.unsigned(8, "the ZIP64 directory offset"), file: file)
        }
        guard count <= Self.maximumEntries else {
            throw DatasetError(.malformed, file: file, "\(count) entries (at most \(Self.maximumEntries))")
        }
        var cursor = ByteReader(bytes, file: file, offset: 0)
        try cursor.skip(directory, "the central directory")
        for index in 0..<count {
            guard try cursor.uint32("central directory entry \(index)") == 0x0201_4B50 else {
                throw DatasetError(.malformed, file: file, "central directory entry \(index) has a bad signature")
            }
            try cursor.skip(6, "entry \(index)")
            let method = Int(try cursor.unsigned(2, "entry \(index)'s method"))
            try cursor.skip(4, "entry \(index)")
            let crc = try cursor.uint32("entry \(index)'s CRC")
            var compressed = try cursor.unsigned(4, "entry \(index)'s size")
            var size = try cursor.unsigned(4, "entry \(index)'s size")
            let nameLength = Int(try cursor.unsigned(2, "entry \(index)'s name length"))
            let extraLength = Int(try cursor.unsigned(2, "entry \(index)'s extra length"))
            let commentLength = Int(try cursor.unsigned(2, "entry \(index)'s comment length"))
            try cursor.skip(8, "entry \(index)")
            var local = try cursor.unsigned(4, "entry \(index)'s offset")
            let name = String(decoding: try cursor.take(nameLength, "entry \(index)'s name"), as: UTF8.self)
            var extra = ByteReader(Array(try cursor.take(extraLength, "entry \(index)'s extra field")), file: file)
            // ZIP64 extended information: the 8-byte values of the fields saturated above, in order.
            while extra.remaining >= 4 {
                let id = try extra.unsigned(2, "an extra field")
                let length = Int(try extra.unsigned(2, "an extra field"))
                guard id == 1 else { try extra.skip(length, "an extra field"); continue }
                if size == 0xFFFF_FFFF { size = try extra.unsigned(8, "the ZIP64 size") }
                if compressed == 0xFFFF_FFFF { compressed = try extra.unsigned(8, "the ZIP64 compressed size") }
                if local == 0xFFFF_FFFF { local = try extra.unsigned(8, "the ZIP64 offset") }
                break
            }
            try cursor.skip(commentLength, "entry \(index)'s comment")
            entries.append(Entry(name: name, method: method, crc: crc, compressedSize: try Self.offset(compressed, file: file),
                                 size: try Self.offset(size, file: file), localHeaderOffset: try Self.offset(local, file: file)))
        }
    }

    private static func offset(_ value: UInt64, file: String) throws(DatasetError) -> Int {
        guard value <= UInt64(Int.max / 2) else { throw DatasetError(.malformed, file: file, "an offset or size of \(value) bytes") }
        return Int(value)
    }

    /// The uncompressed bytes of `entry`.
    package func contents(of entry: Entry) throws(DatasetError) -> [UInt8] {
        let member = "\(file):\(entry.name)"
        var local = ByteReader(bytes, file: member, offset: 0)
        try local.skip(entry.localHeaderOffset, "the local header")
        guard try local.uint32("the local header") == 0x0403_4B50 else {
            throw DatasetError(.malformed, file: member, "the local header is not where the central directory says")
        }
        try local.skip(22, "the local header")
        let nameLength = Int(try local.unsigned(2, "the local name length"))
        let extraLength = Int(try local.unsigned(2, "the local extra length"))
        try local.skip(nameLength + extraLength, "the local header")
        let stored = try local.take(entry.compressedSize, "the member's data")
        let data: [UInt8]
        switch entry.method {
        case 0:
            guard entry.size == entry.compressedSize else { throw DatasetError(.malformed, file: member, "a stored member whose sizes differ") }
            data = Array(stored)
        case 8:
            guard entry.size <= Inflate.ceiling(forCompressedBytes: entry.compressedSize) else {
                throw DatasetError(.malformed, file: member, "declares \(entry.size) bytes from \(entry.compressedSize) compressed")
            }
            data = try Inflate.decompress(stored, container: .raw, file: member, limit: entry.size)
            guard data.count == entry.size else {
                throw DatasetError(.malformed, file: member, "inflates to \(data.count) bytes, declared \(entry.size)")
            }
        default:
            throw DatasetError(.unsupported, file: member, "compression method \(entry.method) (stored and deflate are supported)")
        }
        let crc = data.withUnsafeBufferPointer { buffer in
            UInt32(truncatingIfNeeded: crc32(0, buffer.baseAddress, uInt(buffer.count)))
        }
        guard crc == entry.crc else { throw DatasetError(.malformed, file: member, "CRC-32 mismatch (the archive is damaged)") }
        return data
    }
}
