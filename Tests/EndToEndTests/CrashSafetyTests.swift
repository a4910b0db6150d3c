import Foundation
import HDF5
import Recording
import Testing
import TestSupport

/// Kills `infoplane train` with SIGKILL at random moments, checks the run file it
/// leaves, resumes it with `--resume`, and compares the result with an uninterrupted
/// run, bit for bit.
@Suite("Crash safety", .serialized)
struct CrashSafetyTests {
    let cli = TestSupport.product("infoplane")
    let epochs = 600

    /// A one-run experiment logging 256 samples every epoch; returns the config path.
    func config(_ directory: URL) throws -> String {
        let path = directory.appendingPathComponent("crash.yaml").path
        try """
        name: crash
        seed: 1
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat")), train_fraction: 0.8}
        model: {widths: [10, 7, 5, 4, 3], activation: tanh, initializer: truncated_normal_fan_in}
        training:
          epochs: \(epochs)
          batch_size: 256
          optimizer: {kind: adam, learning_rate: 0.0004}
        recording: {schedule: every_epoch, samples: {subset: 256}, checkpoint_interval: 10}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func train(_ config: String, results: URL, _ extra: [String] = []) throws -> TestSupport.ProcessResult {
        try TestSupport.run(cli, ["train", config, "--results", results.path, "--quiet"] + extra)
    }

    /// Every committed dataset of a run file, as Float arrays keyed by path.
    func contents(_ path: String) throws -> [String: [Float]] {
        let run = try RunFile.open(path)
        let file = try H5File.open(path)
        var values: [String: [Float]] = ["epochs": try file.dataset("epochs").read(as: Float.self)]
        for name in ["metrics/epoch", "metrics/train_loss", "metrics/test_accuracy", "gradients/epochs",
                     "gradients/0_hidden1/snr", "gradients/5_output/mean_norm"] {
            values[name] = try file.dataset(name).read(as: Float.self)
        }
        for layer in run.layers {
            for dataset in ["activations", "weights", "bias"] {
                values["\(layer.name)/\(dataset)"] = try file.dataset("layers/\(layer.index)_\(layer.name)/\(dataset)").read(as: Float.self)
            }
        }
        return values
    }

    @Test func killedRunsOpenAndResumeToTheSameBits() throws {
        let directory = TestSupport.temporaryDirectory("crash")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try config(directory)
        let referenceRoot = directory.appendingPathComponent("reference")
        let reference = referenceRoot.appendingPathComponent("crash/run-1.h5").path
        let start = Date()
        let first = try train(config, results: referenceRoot)
        #expect(first.status == 0, "\(first.stderr)")
        let duration = Date().timeIntervalSince(start)
        let expected = try contents(reference)
        #expect(expected["epochs"]?.count == epochs)

        var rng = SystemRandomNumberGenerator()
        var midRun = 0
        for trial in 0..<10 {
            let root = directory.appendingPathComponent("killed\(trial)")
            let path = root.appendingPathComponent("crash/run-1.h5").path
            let process = Process()
            process.executableURL = URL(fileURLWithPath: cli)
            process.arguments = ["train", config, "--results", root.path, "--quiet"]
            process.standardError = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let delay = Double.random(in: 0.05...(max(0.2, duration * 0.9)), using: &rng)
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            guard FileManager.default.fileExists(atPath: path) else { continue }
            // The killed file opens with plain readers, and what it committed is exactly
            // the uninterrupted run's.
            do {
                let run = try RunFile.open(path)
                #expect(run.loggedEpochs == Array(0..<run.loggedEpochs.count))
                if !run.loggedEpochs.isEmpty { midRun += 1 }
                let layer = run.layers[2]
                let full = expected["\(layer.name)/activations"]!
                let width = layer.outputShape.reduce(1, *) * (try run.sampleCount())
                for position in run.loggedEpochs.indices {
                    #expect(try run.activations(layer: 2, loggedIndex: position).scalars
                            == Array(full[(position * width)..<((position + 1) * width)]), "trial \(trial), row \(position)")
                }
                let (metricEpochs, metrics) = try run.metrics()
                #expect(metricEpochs == Array(0..<metricEpochs.count))
                #expect(metrics["train_loss"]!.map(Float.init) == Array(expected["metrics/train_loss"]!.prefix(metricEpochs.count)))
                let h5py = try TestSupport.runPython("""
                import sys, h5py
                f = h5py.File(sys.argv[1], "r")
                e = f["epochs"][...]
                print(int((e >= 0).sum()))
                """, [path])
                #expect(h5py.status == 0, "h5py: \(h5py.stderr)")
                #expect(h5py.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(run.loggedEpochs.count)")
            } catch {
                // The layout is renamed into place complete: a file that exists must open.
                Issue.record("trial \(trial) killed after \(delay) s left a file that does not open: \(error)")
                continue
            }
            // Resume and compare with the uninterrupted run.
            let resumed = try train(config, results: root, ["--resume"])
            if resumed.status != 0 {
                #expect(resumed.stderr.contains("no complete checkpoint"), "trial \(trial): \(resumed.stderr)")
                continue
            }
            let got = try contents(path)
            for (key, value) in expected {
                #expect(got[key] == value, "trial \(trial) (killed after \(String(format: "%.2f", delay)) s): \(key) differs")
            }
            #expect(try RunFile.open(path).status == .complete)
        }
        #expect(midRun >= 5, "only \(midRun) of 10 kills hit a run in progress")
    }
}
