import CZlib

/// zlib decompression (RFC 1950 zlib streams, RFC 1952 gzip files, RFC 1951 raw deflate), bounded.
///
/// Compressed input is never trusted with memory: every call names the most bytes it
/// may produce (`limit`), which callers take from the size the container's header
/// promises, so a small file that inflates to gigabytes (a "zip bomb") is an error after
/// at most `limit` bytes of output, not an allocation failure.
public enum Inflate {
    public enum Container: Sendable {
        /// A zlib stream (MATLAB's miCOMPRESSED elements).
        case zlib
        /// A gzip file (`.gz`).
        case gzip
        /// A raw deflate stream (RFC 1951), as a zip archive's entries hold (`.npz`).
        case raw
    }

    /// What to do when the output reaches `limit` before the stream ends.
    public enum Overflow: Sendable {
        /// Throw a ``DatasetError`` (the stream holds more than its header promised).
        case fail
        /// Return the first `limit` bytes (to read a header before trusting its sizes).
        case truncate
    }

    /// The most one compressed stream (an IDX.gz file, a MAT v5 element) may inflate to.
    /// Larger data belongs in HDF5 or uncompressed files, which are read without inflating.
    public static let maximumOutput = 1 << 30

    /// The largest output a stream of `count` compressed bytes may inflate to: 1032 × the
    /// input (deflate's highest ratio), at most ``maximumOutput`` (1 GiB).
    public static func ceiling(forCompressedBytes count: Int) -> Int {
        let (product, overflow) = count.multipliedReportingOverflow(by: 1032)
        return overflow ? maximumOutput : min(max(product, 1024), maximumOutput)
    }

    /// Decompresses `bytes`; a truncated or corrupted stream, or one that inflates past
    /// `limit` bytes (with `overflow: .fail`), is a ``DatasetError`` naming `file`.
    ///
    /// - Complexity: O(min(output size, limit)); memory grows with the output, never
    ///   beyond `limit`.
    public static func decompress(_ bytes: ArraySlice<UInt8>, container: Container, file: String,
                                  limit: Int, overflow: Overflow = .fail) throws(DatasetError) -> [UInt8] {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(DatasetError) -> [UInt8] in
                try decompress(raw, container: container, file: file, limit: max(0, limit), overflow: overflow)
            }
        }
        return try result.get()
    }

    private static func decompress(_ bytes: UnsafeRawBufferPointer, container: Container, file: String,
                                   limit: Int, overflow: Overflow) throws(DatasetError) -> [UInt8] {
        var stream = z_stream()
        let windowBits: Int32 = switch container { case .zlib: 15; case .gzip: 15 + 16; case .raw: -15 }
        guard ip_inflateInit2(&stream, windowBits) == Z_OK else {
            throw DatasetError(.malformed, file: file, "zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        // One byte past the limit tells "exactly the limit" from "more than the limit".
        let capacity = limit == Int.max ? limit : limit + 1
        var output = [UInt8](repeating: 0, count: min(capacity, max(bytes.count * 4, 1024)))
        var produced = 0
        stream.next_in = UnsafeMutablePointer(mutating: bytes.bindMemory(to: Bytef.self).baseAddress)
        stream.avail_in = uInt(clamping: bytes.count)
        while true {
            if produced == output.count {
                if output.count >= capacity {
                    if overflow == .truncate { return Array(output.prefix(limit)) }
                    throw DatasetError(.malformed, file: file,
                                       "compressed data inflates past the \(limit) bytes its header promises")
                }
                output += [UInt8](repeating: 0, count: min(output.count, capacity - output.count))
            }
            let status: Int32 = output.withUnsafeMutableBufferPointer { buffer in
                stream.next_out = buffer.baseAddress! + produced
                stream.avail_out = uInt(clamping: buffer.count - produced)
                let status = inflate(&stream, Z_NO_FLUSH)
                produced = buffer.count - Int(stream.avail_out)
                return status
            }
            switch status {
            case Z_STREAM_END:
                if produced > limit {
                    if overflow == .truncate { return Array(output.prefix(limit)) }
                    throw DatasetError(.malformed, file: file,
                                       "compressed data inflates past the \(limit) bytes its header promises")
                }
                output.removeSubrange(produced...)
                return output
            case Z_OK:
                continue
            case Z_BUF_ERROR where stream.avail_in == 0:
                if overflow == .truncate && produced > 0 { return Array(output.prefix(min(produced, limit))) }
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
