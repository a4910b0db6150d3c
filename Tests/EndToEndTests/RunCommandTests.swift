import Foundation
import HDF5
import Recording
import Testing
import TestSupport

/// `infoplane train` end to end: a sweep run whole and in three shards gives the same
/// run files, bit for bit; a killed run resumes; bad input exits 2 and writes nothing.
@Suite("infoplane train", .serialized)
struct RunCommandTests {
    let cli = TestSupport.product("infoplane")

    func config(_ directory: URL, epochs: Int = 40) throws -> String {
        let path = directory.appendingPathComponent("tiny.yaml").path
        try """
        name: tiny
        seed: 5
        repeats: 2
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat")), train_fraction: 0.8}
        model: {widths: [6, 4], activation: tanh, initializer: truncated_normal_fan_in}
        training:
          epochs: \(epochs)
          batch_size: 512
          optimizer: {kind: adam, learning_rate: 0.001}
        recording: {schedule: {every: 5}, samples: {subset: 200}}
        sweep: {model.activation: [tanh, relu]}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Every file under `root`, relative path → the committed activations of hidden1 and the metrics.
    func fingerprint(_ root: URL) throws -> [String: [Float]] {
        var result: [String: [Float]] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        while let relative = enumerator?.nextObject() as? String {
            guard relative.hasSuffix(".h5") else { continue }
            let file = try H5File.open(root.appendingPathComponent(relative).path)
            result[relative] = try file.dataset("layers/0_hidden1/activations").read(as: Float.self)
                + file.dataset("metrics/train_loss").read(as: Float.self)
        }
        return result
    }

    @Test func shardedSweepEqualsWholeSweep() throws {
        let directory = TestSupport.temporaryDirectory("shards")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try config(directory)
        let whole = directory.appendingPathComponent("whole")
        let sharded = directory.appendingPathComponent("sharded")
        let run = try TestSupport.run(cli, ["train", path, "--results", whole.path, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        for i in 0..<3 {
            let shard = try TestSupport.run(cli, ["train", path, "--results", sharded.path, "--shard", "\(i)/3", "--quiet", "--jobs", "1"])
            #expect(shard.status == 0, "\(shard.stderr)")
        }
        let a = try fingerprint(whole), b = try fingerprint(sharded)
        #expect(a.count == 4)
        #expect(Set(a.keys) == ["tiny/activation=tanh/run-5.h5", "tiny/activation=tanh/run-6.h5",
                                "tiny/activation=relu/run-5.h5", "tiny/activation=relu/run-6.h5"])
        #expect(a == b)
        // The run file stores the effective config.
        let run5 = try RunFile.open(whole.appendingPathComponent("tiny/activation=relu/run-5.h5").path)
        #expect(run5.config.contains("activation: relu"))
        #expect(run5.loggedEpochs == [0, 5, 10, 15, 20, 25, 30, 35, 39])
        // Training again skips the complete runs and rewrites nothing; so does --resume.
        let again = try TestSupport.run(cli, ["train", path, "--results", whole.path])
        #expect(again.status == 0 && again.stdout.contains("skipped") && again.stderr.contains("nothing to train"), "\(again.stderr)")
        #expect(try fingerprint(whole) == a)
        let resume = try TestSupport.run(cli, ["train", path, "--results", whole.path, "--resume"])
        #expect(resume.status == 0 && resume.stdout.contains("skipped"))
    }

    @Test func badInputWritesNothing() throws {
        let directory = TestSupport.temporaryDirectory("bad-run")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try config(directory)
        let results = directory.appendingPathComponent("results")
        let bad = try TestSupport.run(cli, ["train", path, "--results", results.path, "--set", "training.optimizer.learning_rate=fast"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--set training.optimizer.learning_rate"))
        #expect(!FileManager.default.fileExists(atPath: results.path))
        let missing = try TestSupport.run(cli, ["train", directory.appendingPathComponent("none.yaml").path])
        #expect(missing.status == 2 && missing.stderr.contains("no such file"))
        let shard = try TestSupport.run(cli, ["train", path, "--shard", "3/3"])
        #expect(shard.status == 2 && shard.stderr.contains("--shard"))
    }
}
