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
    /// and the stored bytes are written as they are (`H5Dwrite_chunk`). What HDF5's own
    /// filter pipeline would store: byte-shuffled, then a zlib stream of the whole chunk
    /// (edge chunks padded to a full chunk with the fill value 0). The bytes do not depend
    /// on the worker count.
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
    /// zlib's `compress2` at `level`: nil if zlib fails.
    static func shuffleAndDeflate(_ values: [UInt8], elementSize: Int, level: Int) -> [UInt8]? {
        let count = values.count / max(elementSize, 1)
        var shuffled = [UInt8](repeating: 0, count: values.count)
        if elementSize > 1 && count > 1 {
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
        var length = compressBound(uLong(shuffled.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        let status = compress2(&out, &length, shuffled, uLong(shuffled.count), Int32(level))
        guard status == Z_OK else { return nil }
        out.removeLast(out.count - Int(length))
        return out
    }
}
