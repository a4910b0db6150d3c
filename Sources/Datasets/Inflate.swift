import CZlib

/// zlib decompression (RFC 1950 zlib streams and RFC 1952 gzip files).
public enum Inflate {
    public enum Container: Sendable {
        /// A zlib stream (MATLAB's miCOMPRESSED elements).
        case zlib
        /// A gzip file (`.gz`).
        case gzip
    }

    /// Decompresses `bytes`; a truncated or corrupted stream is a ``DatasetError``
    /// naming `file`.
    ///
    /// - Parameter sizeHint: the expected output size, if known, to allocate once.
    /// - Complexity: O(output size).
    public static func decompress(_ bytes: ArraySlice<UInt8>, container: Container, file: String,
                                  sizeHint: Int = 0) throws(DatasetError) -> [UInt8] {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(DatasetError) -> [UInt8] in
                try decompress(raw, container: container, file: file, sizeHint: sizeHint)
            }
        }
        return try result.get()
    }

    private static func decompress(_ bytes: UnsafeRawBufferPointer, container: Container, file: String,
                                   sizeHint: Int) throws(DatasetError) -> [UInt8] {
        var stream = z_stream()
        let windowBits: Int32 = container == .zlib ? 15 : 15 + 16
        guard ip_inflateInit2(&stream, windowBits) == Z_OK else {
            throw DatasetError(.malformed, file: file, "zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: max(sizeHint, bytes.count * 4, 1024))
        var produced = 0
        stream.next_in = UnsafeMutablePointer(mutating: bytes.bindMemory(to: Bytef.self).baseAddress)
        stream.avail_in = uInt(bytes.count)
        while true {
            if produced == output.count {
                output += [UInt8](repeating: 0, count: output.count)
            }
            let status: Int32 = output.withUnsafeMutableBufferPointer { buffer in
                stream.next_out = buffer.baseAddress! + produced
                stream.avail_out = uInt(buffer.count - produced)
                let status = inflate(&stream, Z_NO_FLUSH)
                produced = buffer.count - Int(stream.avail_out)
                return status
            }
            switch status {
            case Z_STREAM_END:
                output.removeSubrange(produced...)
                return output
            case Z_OK:
                continue
            case Z_BUF_ERROR where stream.avail_in == 0:
                throw DatasetError(.malformed, file: file, "compressed data ends early (truncated after \(produced) bytes of output)")
            case Z_BUF_ERROR:
                continue
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                throw DatasetError(.malformed, file: file, "corrupted compressed data (zlib: \(message))")
            }
        }
    }
}
