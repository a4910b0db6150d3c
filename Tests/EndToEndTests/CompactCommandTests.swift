import Foundation
import Networks
import Recording
import Tensor
import Testing
import TestSupport

/// `infoplane compact`, and `recording.compact: false`.
@Suite("compact command")
struct CompactCommandTests {
    let cli = TestSupport.product("infoplane")

    @Test func compactsFinishedContiguousRunsAndSaysWhatItDid() throws {
        let directory = TestSupport.temporaryDirectory("compact-command")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("c.yaml").path
        try """
        name: c
        seed: 5
        repeats: 2
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
        model: {widths: [10, 7, 5, 4, 3]}
        training: {epochs: 20, batch_size: 256, optimizer: {kind: adam, learning_rate: 0.001}}
        recording: {storage: float16, compact: false}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let results = directory.appendingPathComponent("results")
        let train = try TestSupport.run(cli, ["train", config, "--results", results.path, "-q"])
        #expect(train.status == 0, "\(train.stderr)")
        let folder = results.appendingPathComponent("c").path
        let run1 = folder + "/run-5.h5"
        #expect(try !RunFile.open(run1).compacted)
        let before = try TestSupport.run(cli, ["inspect", run1])
        #expect(before.stdout.contains("(contiguous)"), "\(before.stdout)")

        // Changing only recording.compact is no other run: training again skips both.
        let again = try TestSupport.run(cli, ["train", config, "--results", results.path, "--set", "recording.compact=true"])
        #expect(again.status == 0 && again.stderr.contains("complete"), "\(again.stderr)")

        func size(_ path: String) throws -> String {
            let bytes = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
            return bytes >= 1 << 20 ? String(format: "%.1f MiB", Double(bytes) / 1_048_576) : String(format: "%.0f KiB", Double(bytes) / 1024)
        }
        let sizeBefore = try size(run1)
        let compact = try TestSupport.run(cli, ["compact", folder])
        #expect(compact.status == 0, "\(compact.stderr)")
        let lines = compact.stdout.split(separator: "\n")
        #expect(lines.count == 3, "\(compact.stdout)")
        #expect(lines.first?.contains("run-5.h5: ") == true && lines.first?.contains(" → ") == true, "\(compact.stdout)")
        #expect(lines.last?.hasPrefix("in all: ") == true, "\(compact.stdout)")
        #expect(try RunFile.open(run1).compaction == "shuffle+deflate(4)")
        // The sizes it prints are the file's, before and after.
        #expect(lines.first?.contains("\(sizeBefore) → \(try size(run1))") == true, "\(compact.stdout)")
        let after = try TestSupport.run(cli, ["inspect", run1])
        #expect(after.stdout.contains("(compacted: shuffle+deflate(4))"), "\(after.stdout)")

        let twice = try TestSupport.run(cli, ["compact", run1, "--level", "9"])
        #expect(twice.status == 0 && twice.stdout.contains("compacted already"), "\(twice.stdout)")

        // The analysis of compacted runs works as before.
        let analyze = try TestSupport.run(cli, ["analyze", folder, "--estimator", "binning:bins=30", "-q"])
        #expect(analyze.status == 0, "\(analyze.stderr)")

        // Bad usage and inputs: exit 2, one line.
        for arguments in [["compact", run1, "--level", "0"], ["compact", directory.appendingPathComponent("none.h5").path],
                          ["compact", config]] {
            let bad = try TestSupport.run(cli, arguments)
            #expect(bad.status == 2, "\(arguments): \(bad.stderr)")
            #expect(bad.stderr.split(separator: "\n").count == 1, "\(arguments): \(bad.stderr)")
        }
    }

    /// A run stopped early stays contiguous, to be resumed.
    @Test func leavesUnfinishedRunsContiguous() throws {
        let directory = TestSupport.temporaryDirectory("compact-unfinished")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("run-1.h5").path
        // A run of 10 epochs stopped after 3.
        _ = try Self.recordedRun(path, experiment: "u", seed: 4, epochs: 3, of: 10)
        let compact = try TestSupport.run(cli, ["compact", path])
        #expect(compact.status == 0 && compact.stdout.contains("not finished (incomplete)"), "\(compact.stdout) \(compact.stderr)")
        #expect(try !RunFile.open(path).compacted)
    }

    /// A compaction that fails leaves the finished run as it was, contiguous and complete,
    /// and says why; the run is not reported failed for it. (Provoked by a file name
    /// whose `.compacting` sibling is longer than a name may be: a full disk or a
    /// read-only folder cannot be made here, where tests may run as root.)
    @Test func aFailedCompactionLeavesTheFinishedRunContiguous() throws {
        let directory = TestSupport.temporaryDirectory("compact-fails")
        defer { try? FileManager.default.removeItem(at: directory) }
        // 247 bytes: the name and its ".partial" sibling fit in NAME_MAX (255), its
        // ".compacting" sibling does not.
        let path = directory.appendingPathComponent(String(repeating: "r", count: 244) + ".h5").path
        let recorder = try Self.recordedRun(path, experiment: "f", seed: 5, epochs: 3, of: 3)
        #expect(recorder.compacted == nil)
        #expect(recorder.compactionFailure?.contains("File name too long") == true, "\(recorder.compactionFailure ?? "no failure")")
        let run = try RunFile.open(path)
        #expect(run.status == .complete && !run.compacted && run.loggedEpochs == [0, 1, 2], "\(run.loggedEpochs)")
        #expect(!FileManager.default.fileExists(atPath: path + ".compacting"))
    }

    /// A run recorded to `path` (64 random inputs, a 12-5-3-2 network) for `epochs` of
    /// its `total` epochs, finished; its recorder.
    static func recordedRun(_ path: String, experiment: String, seed: UInt64, epochs: Int, of total: Int) throws -> RunRecorder {
        var rng = SeededRNG(seed: seed)
        let inputs = Tensor(shape: [64, 12], scalars: (0..<(64 * 12)).map { _ in rng.uniform(0, 1) })
        let examples = Examples(inputs: inputs, labels: (0..<64).map { Int32($0 % 2) })
        let model = try Sequential.mlp(inputSize: 12, widths: [5, 3], classes: 2, activation: .tanh,
                                       initializer: .truncatedNormalFanIn, rng: SeededRNG(seed: seed))
        let samples = RecordedSamples(rows: Array(0..<64), examples: examples, trainRows: Array(0..<48), testRows: Array(48..<64),
                                      datasetName: "random", classCount: 2)
        let recorder = try RunRecorder(path: path, overwrite: false,
                                       metadata: RunMetadata(experiment: experiment, config: "name: \(experiment)\n", seed: seed, tool: "test",
                                                             totalEpochs: total),
                                       model: model, samples: samples, optimizer: Adam(), options: RecorderOptions())
        var trainer = Trainer(model: model, optimizer: Adam())
        try trainer.train(examples, trainRows: Array(0..<48), testRows: Array(48..<64),
                          schedule: TrainingSchedule(epochs: epochs, batchSize: 16, seed: seed), observers: [recorder])
        try recorder.finish(completedEpochs: trainer.completedEpochs)
        return recorder
    }
}
