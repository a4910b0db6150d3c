import CZlib
import Foundation
import HDF5
import Networks
@testable import Recording
import Tensor
import Testing
import TestSupport

@Suite("Run compaction")
struct RunCompactionTests {
    /// Records a float16 run of `epochs` epochs, contiguous, at `path`.
    static func record(_ path: String, epochs: Int, stopAfter: Int? = nil, storage: ActivationStorage = .float16) throws {
        let s = try RecorderTests.setup(sampleRows: Array(0..<4096))
        let recorder = try RunRecorder(path: path, overwrite: false, metadata: RecorderTests.metadata(epochs: epochs),
                                       model: s.model, samples: s.samples, optimizer: Adam(learningRate: 4e-4),
                                       options: RecorderOptions(schedule: .everyEpoch, storage: storage, compaction: nil))
        var trainer = Trainer(model: s.model, optimizer: Adam(learningRate: 4e-4))
        try trainer.train(s.examples, trainRows: s.split.train, testRows: s.split.test,
                          schedule: TrainingSchedule(epochs: stopAfter ?? epochs, batchSize: 256, seed: 2), observers: [recorder])
        try recorder.finish(completedEpochs: trainer.completedEpochs)
    }

    /// Every dataset's values and every attribute, by path, as h5py sees them (a digest
    /// per dataset of its values in their stored type), and each dataset's layout.
    static func contents(_ path: String) throws -> [String: String] {
        let result = try TestSupport.runPython("""
        import sys, json, hashlib, h5py, numpy as np
        out = {}
        def visit(name, obj):
            for key, value in obj.attrs.items():
                out[f"{name}@{key}"] = repr(value.tolist() if isinstance(value, np.ndarray) else value)
            if isinstance(obj, h5py.Dataset):
                data = obj[()]
                out[name] = f"{obj.dtype} {obj.shape} " + hashlib.sha256(np.ascontiguousarray(data).tobytes()).hexdigest()
                out[name + "#layout"] = f"{obj.chunks} {obj.compression} {obj.shuffle}"
        with h5py.File(sys.argv[1], "r") as f:
            visit("/", f)
            f.visititems(visit)
        print(json.dumps(out))
        """, [path])
        #expect(result.status == 0, "\(result.stderr)")
        return (try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String]) ?? [:]
    }

    /// The compacted file holds the same values and attributes (h5py reads both), its
    /// activations chunked one logged epoch per chunk with shuffle + deflate, and is smaller.
    @Test(arguments: [ActivationStorage.float16, .float32])
    func keepsEveryValueAndAttribute(_ storage: ActivationStorage) throws {
        let folder = TestSupport.temporaryDirectory("compaction")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("run.h5").path, copy = folder.appendingPathComponent("copy.h5").path
        try Self.record(path, epochs: 12, storage: storage)
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let sizes = try RunCompaction.compact(copy)
        #expect(sizes.after < sizes.before)
        #expect(sizes.after == (try FileManager.default.attributesOfItem(atPath: copy)[.size] as? Int))

        let before = try Self.contents(path), after = try Self.contents(copy)
        #expect(before.count > 60)
        for (key, value) in before where !key.hasSuffix("#layout") {
            #expect(after[key] == value, "\(key)")
        }
        #expect(after["/@compaction"] == "'shuffle+deflate(4)'")
        #expect(after["layers/0_hidden1/activations#layout"] == "(1, 4096, 10) gzip True")
        #expect(before["layers/0_hidden1/activations#layout"] == "None None False")

        // Our reader: the same tensors, and the summary names the compaction.
        let a = try RunFile.open(path), b = try RunFile.open(copy)
        #expect(!a.compacted && b.compaction == "shuffle+deflate(4)")
        for position in [0, 5, 11] {
            for layer in 0..<6 {
                #expect(try a.activations(layer: layer, loggedIndex: position) == b.activations(layer: layer, loggedIndex: position))
            }
        }
        #expect(try a.metrics().values == b.metrics().values)
        #expect(try b.summary().compaction == "shuffle+deflate(4)")
        // Those rows came inflated outside HDF5 (``RunCompaction/storedRow``), the
        // contiguous ones through HDF5.
        let rows = (try H5File.open(path).dataset("layers/0_hidden1/activations"), try H5File.open(copy).dataset("layers/0_hidden1/activations"))
        switch storage {
        case .float16: #expect(try RunCompaction.storedRow(rows.0, 0, as: Float16.self) == nil && RunCompaction.storedRow(rows.1, 0, as: Float16.self) != nil)
        case .float32: #expect(try RunCompaction.storedRow(rows.0, 0, as: Float.self) == nil && RunCompaction.storedRow(rows.1, 0, as: Float.self) != nil)
        }
    }

    /// A compacted file is not compacted twice, nor resumed; a failure leaves it whole.
    @Test func compactedFilesAreFinished() throws {
        let folder = TestSupport.temporaryDirectory("compaction-finished")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("run.h5").path
        try Self.record(path, epochs: 3)
        try RunCompaction.compact(path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: RunFileError.self) { try RunCompaction.compact(path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        #expect(!FileManager.default.fileExists(atPath: path + ".compacting"))
        try Self.expectResumeRefused(path, saying: "compacted")
    }

    /// A checkpoint whose optimizer state is shorter than the model needs (a crafted or
    /// damaged file) is an error naming the dataset when resuming, not a crash.
    @Test func aShortOptimizerStateIsRefusedOnResuming() throws {
        let folder = TestSupport.temporaryDirectory("resume-short-state")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("run.h5").path
        try Self.record(path, epochs: 6, stopAfter: 3)
        let edit = try TestSupport.runPython("""
        import sys, h5py, numpy as np
        with h5py.File(sys.argv[1], "r+") as f:
            del f["checkpoint/optimizer_state"]
            f["checkpoint/optimizer_state"] = np.zeros((2, 5), dtype="f4")
        """, [path])
        #expect(edit.status == 0, "\(edit.stderr)")
        try Self.expectResumeRefused(path, saying: "checkpoint/optimizer_state holds 5 values")
    }

    /// Resuming the run at `path` fails with an error that contains `text`.
    static func expectResumeRefused(_ path: String, saying text: String) throws {
        var model = try RecorderTests.setup(sampleRows: [0]).model
        var optimizer: any Optimizer = Adam(learningRate: 4e-4)
        do {
            _ = try RunRecorder.resume(path: path, model: &model, optimizer: &optimizer)
            Issue.record("\(path) was resumed")
        } catch {
            #expect("\(error)".contains(text), "\(error)")
        }
    }

    /// A damaged or crafted file is an error, not an endless recursion or walk; the file
    /// is left as it was: a link back to the root, and a dataset that declares 4 TiB and
    /// stores nothing (`make fuzz` with seed 7 found `compact` walking such a one).
    @Test(arguments: [("f[\"loop\"] = f[\"/\"]", "deeper than"), ("f[\"soft\"] = h5py.SoftLink(\"/\")", "soft or external link"),
                      ("f.create_dataset(\"layers/0_hidden1/huge\", shape=(2**30, 1024), dtype=\"f4\")", "declares [1073741824, 1024]")])
    func damagedFilesAreRefused(edit: String, expected: String) throws {
        let folder = TestSupport.temporaryDirectory("compaction-damaged")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("run.h5").path
        try Self.record(path, epochs: 2)
        let edited = try TestSupport.runPython("""
        import sys, h5py
        with h5py.File(sys.argv[1], "r+") as f:
            \(edit)
        """, [path])
        #expect(edited.status == 0, "\(edited.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        do {
            try RunCompaction.compact(path)
            Issue.record("a damaged file was compacted")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        #expect(!FileManager.default.fileExists(atPath: path + ".compacting"))
    }

    /// The recorder compacts a finished run by default and leaves a run stopped early
    /// contiguous (so that it can be resumed).
    @Test func theRecorderCompactsFinishedRunsOnly() throws {
        let folder = TestSupport.temporaryDirectory("compaction-recorder")
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, stop) in [("finished", nil), ("stopped", 2)] as [(String, Int?)] {
            let path = folder.appendingPathComponent("\(name).h5").path
            let s = try RecorderTests.setup(sampleRows: Array(0..<512))
            let recorder = try RunRecorder(path: path, overwrite: false, metadata: RecorderTests.metadata(epochs: 4),
                                           model: s.model, samples: s.samples, optimizer: Adam(learningRate: 4e-4),
                                           options: RecorderOptions(schedule: .everyEpoch))
            var trainer = Trainer(model: s.model, optimizer: Adam(learningRate: 4e-4))
            try trainer.train(s.examples, trainRows: s.split.train, testRows: s.split.test,
                              schedule: TrainingSchedule(epochs: stop ?? 4, batchSize: 256, seed: 2), observers: [recorder])
            try recorder.finish(completedEpochs: trainer.completedEpochs)
            let run = try RunFile.open(path)
            #expect(run.compacted == (stop == nil), "\(name)")
            #expect((recorder.compacted != nil) == (stop == nil), "\(name)")
        }
    }

    /// Chunks: whole logged epochs up to 1 MiB, small rows grouped, big rows cut along samples.
    @Test func chunkShapes() {
        #expect(RunCompaction.chunk(shape: [964, 4096, 10], elementSize: 2) == [1, 4096, 10])
        #expect(RunCompaction.chunk(shape: [964, 4096, 2], elementSize: 2) == [1, 4096, 2])
        #expect(RunCompaction.chunk(shape: [964, 96, 2], elementSize: 2) == [170, 96, 2])
        #expect(RunCompaction.chunk(shape: [964, 12, 10], elementSize: 4) == [136, 12, 10])
        #expect(RunCompaction.chunk(shape: [3, 1000, 28, 28, 8], elementSize: 4) == [1, 41, 28, 28, 8])
        #expect(RunCompaction.chunk(shape: [2, 5], elementSize: 8) == [2, 5])
    }

    /// Chunks compressed here and written raw hold what HDF5's own filter pipeline stores,
    /// edge chunks included: h5py reads the same values, attributes and layouts from both
    /// files, and the direct one is no larger.
    @Test func directChunksHoldWhatHDF5Stores() throws {
        let folder = TestSupport.temporaryDirectory("compaction-direct")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("run.h5").path
        // 13 logged epochs: the weights' chunks (up to 64 KiB of rows) end partial.
        try Self.record(path, epochs: 13)
        var contents: [[String: String]] = [], sizes: [Int] = []
        for direct in [false, true] {
            let copy = folder.appendingPathComponent("copy-\(direct).h5").path
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            sizes.append(try RunCompaction.compact(copy, directChunks: direct).after)
            contents.append(try Self.contents(copy))
        }
        #expect(contents[0].count > 60 && contents[0] == contents[1])
        #expect(sizes[1] <= sizes[0])
    }

    /// Each byte plane of a chunk is deflated in blocks of its own: a plane of noise (the
    /// low mantissa bytes) in stored blocks, which inflating copies, in no more bytes than
    /// one `compress2` stream of the chunk; zlib reads the values back.
    @Test func bytePlanesDeflateInBlocksOfTheirOwn() throws {
        var rng = SeededRNG(seed: 5)
        let values = (0..<8192).map { _ in Float16(rng.uniform(-1, 1)) }
        let bytes = values.withUnsafeBytes { Array($0) }
        let stream = try #require(RunCompaction.shuffleAndDeflate(bytes, elementSize: 2, level: 4))
        // After the two-byte zlib header: BFINAL (1 bit), then BTYPE (2 bits; 0 = stored).
        #expect((stream[2] >> 1) & 3 == 0)
        let shuffled = Self.shuffled(bytes)
        var length = compressBound(uLong(shuffled.count))
        var single = [UInt8](repeating: 0, count: Int(length))
        #expect(compress2(&single, &length, shuffled, uLong(shuffled.count), 4) == Z_OK)
        #expect(stream.count <= Int(length))
        var inflated = [UInt8](repeating: 0, count: bytes.count)
        var inflatedLength = uLong(inflated.count)
        #expect(uncompress(&inflated, &inflatedLength, stream, uLong(stream.count)) == Z_OK)
        #expect(Int(inflatedLength) == bytes.count && RunCompaction.unshuffled(inflated, elementSize: 2) == bytes)
    }

    /// HDF5's shuffle of two-byte elements: the low bytes, then the high bytes.
    static func shuffled(_ bytes: [UInt8]) -> [UInt8] {
        stride(from: 0, to: bytes.count, by: 2).map { bytes[$0] } + stride(from: 1, to: bytes.count, by: 2).map { bytes[$0] }
    }

    /// Rows over 1 MiB are cut along their second axis (a CNN's feature maps), with a
    /// partial chunk at the end: the direct path stores what HDF5 does, in no more bytes.
    @Test func chunksCutAlongSamples() throws {
        let folder = TestSupport.temporaryDirectory("compaction-wide")
        defer { try? FileManager.default.removeItem(at: folder) }
        let shape = [3, 50, 80, 80, 2]
        var rng = SeededRNG(seed: 3)
        let values = (0..<shape.reduce(1, *)).map { _ in Float16(rng.uniform(-1, 1)) }
        let source = try H5File.create(folder.appendingPathComponent("source.h5").path, overwrite: true)
        let data = try source.createDataset("maps", of: Float16.self, shape: shape, options: .preallocated())
        try data.write(values)
        let chunk = RunCompaction.chunk(shape: shape, elementSize: 2)
        #expect(chunk == [1, 40, 80, 80, 2])
        var read: [[Float16]] = []
        var sizes: [Int] = []
        for direct in [false, true] {
            let target = try H5File.create(folder.appendingPathComponent("target-\(direct).h5").path, overwrite: true)
            let to = try target.createDataset("maps", like: data, options: DatasetOptions(chunk: chunk, deflate: 4, shuffle: true))
            if direct {
                try RunCompaction.copyCompressed(from: data, to: to, shape: shape, chunk: chunk, elementSize: 2, level: 4)
            } else {
                try to.copyRows(from: data, rows: shape[0])
            }
            read.append(try to.read(as: Float16.self))
            sizes.append(to.storageSize())
        }
        #expect(read[0] == values && read[1] == values)
        #expect(sizes[1] <= sizes[0] && sizes[0] < values.count * 2)
    }
}
