import CZlib
import HDF5
import Tensor

extension RunCompaction {
    /// A compressed chunk: its first element and its stored bytes.
    struct StoredChunk: Sendable {
        var offset: [Int]
        var bytes: [UInt8]
    }

    /// Copies the contiguous `source` into `target` (chunked as `chunk`, shuffle + deflate)
    /// chunk by chunk: HDF5 reads each chunk's values (a memory copy), the shuffle and the
    /// deflate run here, several chunks at once on every core, outside HDF5's global lock,
    /// and the stored bytes are written as they are (`H5Dwrite_chunk`). As HDF5's own
    /// filter pipeline stores a chunk: byte-shuffled, then a zlib stream of the whole chunk
    /// (edge chunks padded to a full chunk with the fill value 0); the stream's blocks end
    /// at the byte planes (``shuffleAndDeflate(_:elementSize:level:)``), where the
    /// pipeline's `compress2` lets them run on. The bytes do not depend on the worker count.
    ///
    /// Chunks split only the first two axes (``chunk(shape:elementSize:)``); `shape` has at
    /// least two.
    package static func copyCompressed(from source: H5Dataset, to target: H5Dataset, shape: [Int], chunk: [Int], elementSize: Int,
                               level: Int) throws {
        let rest = shape.dropFirst(2).reduce(1, *)
        let (rows, columns) = (shape[0], shape[1])
        let (chunkRows, chunkColumns) = (chunk[0], chunk[1])
        var origins: [[Int]] = []
        for row in stride(from: 0, to: rows, by: chunkRows) {
            for column in stride(from: 0, to: columns, by: chunkColumns) {
                origins.append([row, column] + [Int](repeating: 0, count: shape.count - 2))
            }
        }
        let chunkElements = chunk.reduce(1, *)
        let batch = max(1, Parallel.workers * 4)
        for start in stride(from: 0, to: origins.count, by: batch) {
            let group = Array(origins[start..<min(start + batch, origins.count)])
            // The values of each chunk, laid out as a full chunk (zero padding at the edges).
            var values: [[UInt8]] = []
            for origin in group {
                let count = [min(chunkRows, rows - origin[0]), min(chunkColumns, columns - origin[1])] + shape.dropFirst(2)
                let raw = try source.readRaw(offset: origin, count: count)
                if count[0] == chunkRows && count[1] == chunkColumns {
                    values.append(raw)
                    continue
                }
                var full = [UInt8](repeating: 0, count: chunkElements * elementSize)
                let run = count[1] * rest * elementSize
                for r in 0..<count[0] {
                    full.replaceSubrange((r * chunkColumns * rest * elementSize)..<(r * chunkColumns * rest * elementSize + run),
                                         with: raw[(r * run)..<((r + 1) * run)])
                }
                values.append(full)
            }
            let slots = ConcurrentSlots<StoredChunk>(count: group.count)
            let inputs = values
            Parallel.perform(iterations: group.count) { index in
                if let bytes = shuffleAndDeflate(inputs[index], elementSize: elementSize, level: level) {
                    slots.set(index, StoredChunk(offset: group[index], bytes: bytes))
                }
            }
            let stored = slots.values
            guard stored.count == group.count else {
                throw RunFileError(file: target.filePath, "zlib could not compress a chunk of \(target.path)")
            }
            for chunk in stored { try target.writeRawChunk(at: chunk.offset, chunk.bytes) }
        }
    }

    /// HDF5's shuffle filter (byte k of every element together, for k = 0 ..< size) then
    /// one zlib stream at `level` in which no deflate block spans two byte planes (each
    /// plane but the last ends its block with `Z_BLOCK`): nil if zlib fails.
    ///
    /// Any inflater reads the stream as it reads `compress2`'s, HDF5's deflate filter
    /// included; the block boundaries only let zlib choose each plane's block type by
    /// itself. The low mantissa byte of float16 activations is noise (8.0 bits of entropy
    /// per byte), so its blocks come out stored, which inflating copies, while the sign
    /// and exponent plane is Huffman-coded. On the tishby2017 runs' float16 rows this
    /// inflates 1.3× faster (libdeflate) and stores 2% less than one `compress2` stream,
    /// whose blocks mix the two planes.
    static func shuffleAndDeflate(_ values: [UInt8], elementSize: Int, level: Int) -> [UInt8]? {
        let count = values.count / max(elementSize, 1)
        let planes = elementSize > 1 && count > 1 ? elementSize : 1
        var shuffled = [UInt8](repeating: 0, count: values.count)
        if planes > 1 {
            values.withUnsafeBufferPointer { input in
                shuffled.withUnsafeMutableBufferPointer { output in
                    for byte in 0..<elementSize {
                        let base = byte * count
                        for element in 0..<count { output[base + element] = input[element * elementSize + byte] }
                    }
                }
            }
        } else {
            shuffled = values
        }
        // zlib counts a call's bytes in 32 bits (chunks are 1 MiB or a sample's bytes).
        guard shuffled.count < Int(uInt.max) / 2 else { return nil }
        var stream = z_stream()
        guard ip_deflateInit(&stream, Int32(level)) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        // zlib's bound for one stream, and room for each plane's block ending.
        var out = [UInt8](repeating: 0, count: Int(compressBound(uLong(shuffled.count))) + 16 * planes)
        let finished = shuffled.withUnsafeMutableBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                stream.next_out = output.baseAddress
                stream.avail_out = uInt(output.count)
                for plane in 0..<planes {
                    // A trailing partial element (never in a chunk) stays in the last plane, as
                    // HDF5's shuffle leaves it.
                    let last = plane == planes - 1
                    let start = plane * count, end = last ? input.count : start + count
                    stream.next_in = input.baseAddress.map { $0 + start }
                    stream.avail_in = uInt(end - start)
                    let status = deflate(&stream, last ? Z_FINISH : Z_BLOCK)
                    guard last ? status == Z_STREAM_END : status == Z_OK && stream.avail_in == 0 else { return false }
                }
                return true
            }
        }
        guard finished else { return nil }
        out.removeLast(out.count - Int(stream.total_out))
        return out
    }
}
