import Foundation
import HDF5
import Recording
import Testing
import TestSupport

/// Kills a recording run with SIGKILL at random moments, checks the file it leaves,
/// resumes it, and compares the result with an uninterrupted run, bit for bit.
@Suite("Crash safety", .serialized)
struct CrashSafetyTests {
    let fixture = TestSupport.product("infoplane-record-fixture")
    let data = TestSupport.dataFile("var_u.mat")
    let epochs = 600

    func runToCompletion(_ path: String, resume: Bool = false) throws {
        let result = try TestSupport.run(fixture, [data, path, "\(epochs)"] + (resume ? ["--resume"] : []))
        #expect(result.status == 0, "fixture: \(result.stderr)")
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
        let reference = directory.appendingPathComponent("reference.h5").path
        let start = Date()
        try runToCompletion(reference)
        let duration = Date().timeIntervalSince(start)
        let expected = try contents(reference)
        #expect(expected["epochs"]?.count == epochs)

        var rng = SystemRandomNumberGenerator()
        for trial in 0..<8 {
            let path = directory.appendingPathComponent("killed\(trial).h5").path
            let process = Process()
            process.executableURL = URL(fileURLWithPath: fixture)
            process.arguments = [data, path, "\(epochs)"]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let delay = Double.random(in: 0.05...(max(0.2, duration * 0.9)), using: &rng)
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            guard FileManager.default.fileExists(atPath: path) else { continue }
            // The killed file opens (as an SWMR reader) with consistent extents.
            do {
                let run = try RunFile.open(path)
                let file = try H5File.open(path, mode: .swmrRead)
                for layer in run.layers {
                    let rows = try file.dataset("layers/\(layer.index)_\(layer.name)/activations").shape()[0]
                    #expect(rows >= run.loggedEpochs.count && rows <= run.loggedEpochs.count + 1)
                }
                #expect(run.loggedEpochs == Array(0..<run.loggedEpochs.count))
                // What was committed equals the uninterrupted run.
                if let last = run.loggedEpochs.indices.last {
                    let layer = run.layers[2]
                    let full = expected["\(layer.name)/activations"]!
                    let width = layer.outputShape.reduce(1, *) * (try run.sampleCount())
                    #expect(try run.activations(layer: 2, loggedIndex: last).scalars == Array(full[(last * width)..<((last + 1) * width)]))
                }
                // h5py opens it too, as an SWMR reader.
                let h5py = try TestSupport.runPython("""
                import sys, h5py
                f = h5py.File(sys.argv[1], "r", swmr=True)
                print(len(f["epochs"]))
                """, [path])
                #expect(h5py.status == 0, "h5py: \(h5py.stderr)")
            } catch {
                // Killed before the layout was complete: the file is not a run yet, and
                // says so; starting again is the only option.
                #expect(delay < duration, "trial \(trial) after \(delay) s: \(error)")
                continue
            }
            // Resume and compare with the uninterrupted run.
            let resumed = try TestSupport.run(fixture, [data, path, "\(epochs)", "--resume"])
            if resumed.status != 0 {
                #expect(resumed.stderr.contains("no complete checkpoint"), "trial \(trial): \(resumed.stderr)")
                continue
            }
            let got = try contents(path)
            for (key, value) in expected {
                #expect(got[key] == value, "trial \(trial) (killed after \(String(format: "%.2f", delay)) s): \(key) differs")
            }
            #expect(try RunFile.open(path).status == "complete")
        }
    }
}
