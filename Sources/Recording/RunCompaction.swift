import Foundation
import HDF5
import SafeFiles

/// Rewrites a finished run file with its large arrays chunked, byte-shuffled and
/// deflated: filters every HDF5 reader applies by itself (h5py, h5dump, xarray through
/// h5netcdf, MATLAB, Julia's HDF5.jl), so no reader changes. Names, shapes, types,
/// attributes and values stay the same; only the storage does not.
///
/// A run being written needs contiguous preallocated storage (see ``RunRecorder`` on
/// crash safety), so compaction happens once the run is over: the compacted copy is
/// made under `<name>.h5.compacting` and renamed over the run file (a crash leaves the
/// contiguous file). A compacted file is finished: `--resume` refuses it, `--extend`
/// reads it into a new contiguous layout (compacted again when the longer run ends).
///
/// Sizes: float16 tanh activations hold about 11 bits of entropy per 16 (the low
/// mantissa byte is noise), which bounds any lossless saving near 1.45×; measured in
/// docs/run-file.md.
public enum RunCompaction {
    /// zlib level: 4 saves nearly all that 9 does on activations, at half its time.
    public static let defaultLevel = 4
    /// Arrays smaller than this stay contiguous, copied as they are.
    static let minimumBytes = 64 << 10
    /// Chunks hold at most this many bytes before compression (HDF5's chunk cache holds
    /// 1 MiB per open dataset).
    static let chunkBytes = 1 << 20
    /// Root attribute naming the filters, present only in compacted files.
    public static let attribute = "compaction"

    public struct Result: Sendable, Equatable {
        /// File sizes in bytes before and after.
        public var before: Int
        public var after: Int
    }

    /// Whether this HDF5 library can write deflate (it always reads what it can write).
    public static var isAvailable: Bool { H5File.deflateAvailable }

    /// Compacts the run file at `path` in place (atomically). Throws, leaving the file as
    /// it was, when it is compacted already or does not open.
    /// - Parameter directChunks: compress chunks here, on every core, and write them raw
    ///   (the default); false passes them through HDF5's filter pipeline, one core (the
    ///   tests compare the two: the same values, in no more bytes).
    @discardableResult
    public static func compact(_ path: String, level: Int = defaultLevel, directChunks: Bool = true) throws -> Result {
        let before = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        // The compacted copy is written beside the run before it replaces it: at most the
        // run's size again. Refused up front on a full or read-only disk, where HDF5 would
        // otherwise fail (or abort) halfway through its writes.
        try FreeSpace.require(before, near: path, for: "compact")
        try OutputFile.replaceAtomically(path, suffix: ".compacting") { temporary in
            let source = try H5File.open(path)
            try RunFile.checkFormat(source)
            if source.hasAttribute(attribute) { throw RunFileError(file: path, "is compacted already") }
            let target = try H5File.create(temporary, overwrite: true)
            try source.copyAttributes(to: target)
            try target.setAttribute(attribute, "shuffle+deflate(\(level))")
            try copyChildren(of: source, into: target, level: level, directChunks: directChunks)
            try target.flush()
        }
        let after = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return Result(before: before, after: after)
    }

    /// Whether the run file at `path` is compacted.
    public static func isCompacted(_ file: H5File) -> Bool { file.hasAttribute(attribute) }

    /// Groups nest at most this deep (a run file's go 3 deep): a link back to an ancestor
    /// in a damaged or crafted file is an error, not an endless recursion.
    static let maximumDepth = 16

    private static func copyChildren(of source: some H5Container, into target: some H5Container, level: Int,
                                     directChunks: Bool, depth: Int = 0) throws {
        guard depth < maximumDepth else {
            throw RunFileError(file: source.filePath, "\(source.path) nests groups deeper than \(maximumDepth) (a link cycle?)")
        }
        for name in try source.childNames() {
            if source.isGroup(name) {
                let from = try source.group(name), to = try target.createGroup(name)
                try from.copyAttributes(to: to)
                try copyChildren(of: from, into: to, level: level, directChunks: directChunks, depth: depth + 1)
                continue
            }
            let from = try source.dataset(name)
            let shape = try from.shape()
            let elementSize = try from.storedElementSize()
            // Sizes from the file: a product beyond Int is a damaged file, never a chunk.
            var bytes = elementSize
            for extent in shape {
                let (product, overflow) = bytes.multipliedReportingOverflow(by: extent)
                guard !overflow else { throw RunFileError(file: source.filePath, "\(from.path) declares \(shape) elements") }
                bytes = product
            }
            // … and so is one that declares far more than it stores: compaction would walk
            // chunks of data that is not there (no filter inflates beyond 1032:1).
            let stored = from.storageSize()
            if try from.chunkShape() == nil ? stored < bytes : bytes / 1032 > stored {
                throw RunFileError(file: source.filePath, "\(from.path) declares \(shape) elements (\(bytes) bytes) but stores \(stored) bytes")
            }
            guard shape.count >= 2, bytes >= minimumBytes, let first = shape.first, first > 0, shape[1] > 0 else {
                try source.copyObject(name, to: target)
                continue
            }
            let chunkShape = chunk(shape: shape, elementSize: elementSize)
            let to = try target.createDataset(name, like: from, options: DatasetOptions(chunk: chunkShape, deflate: level, shuffle: true))
            try from.copyAttributes(to: to)
            if directChunks {
                try copyCompressed(from: from, to: to, shape: shape, chunk: chunkShape, elementSize: elementSize, level: level)
            } else {
                try to.copyRows(from: from, rows: first)
            }
        }
    }

    /// The chunk of an array `[row, rest...]` (a logged epoch per row for activations):
    /// one row when it holds 4 KiB or more, so that reading one logged epoch inflates only
    /// its own bytes (readers open a dataset per read, so a chunk of several epochs would be
    /// inflated once per epoch); smaller rows (weights, a few samples) grouped up to 64 KiB;
    /// a row over ``chunkBytes`` (a CNN's feature maps of many samples) cut along its second
    /// axis.
    package static func chunk(shape: [Int], elementSize: Int) -> [Int] {
        let rowBytes = shape.dropFirst().reduce(elementSize, *)
        if rowBytes <= chunkBytes {
            let rows = rowBytes >= 4096 ? 1 : min(shape[0], max(1, (chunkBytes / 16) / max(rowBytes, 1)))
            return [rows] + shape.dropFirst()
        }
        let perItem = shape.dropFirst(2).reduce(elementSize, *)
        return [1, max(1, min(shape[1], chunkBytes / max(perItem, 1)))] + shape.dropFirst(2)
    }
}
