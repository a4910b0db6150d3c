import Experiments
import Foundation
import Recording
import RealModule
import Testing
import TestSupport

/// Runs that blow up, and plans that would: a diverged run stops with one line and a
/// readable file; a plan beyond the machine is refused before anything is written.
@Suite("Diverging runs and checked plans")
struct DivergenceAndPlanTests {
    let cli = TestSupport.product("infoplane")
    let quick = TestSupport.root.appendingPathComponent("experiments/quick.yaml").path
    let data = "data.path=\(TestSupport.dataFile("var_u.mat"))"

    @Test func aDivergingRunStopsAndItsFileStaysReadable() throws {
        let dir = TestSupport.temporaryDirectory("diverge")
        defer { try? FileManager.default.removeItem(at: dir) }
        let results = dir.appendingPathComponent("results").path
        let settings = ["repeats=1", "training.epochs=30", "model.activation=linear",
                        "training.optimizer={kind: sgd, learning_rate: 100}", data]
        let run = try TestSupport.run(cli, ["run", quick, "-q", "--results", results, "--plots", dir.appendingPathComponent("plots").path]
                                      + settings.flatMap { ["--set", $0] })
        #expect(run.status == 1)
        let lines = run.stderr.split(whereSeparator: \.isNewline)
        #expect(lines.count == 1 && lines[0].contains("diverged at epoch 0 (loss nan"), "\(run.stderr)")
        let path = "\(results)/quick/run-1.h5"
        let file = try RunFile.open(path)
        #expect(file.status == .diverged && file.divergedEpoch == 0 && file.completedEpochs == 1)
        let inspect = try TestSupport.run(cli, ["inspect", path])
        #expect(inspect.status == 0 && inspect.stdout.contains("diverged at epoch 0"))
        let analyze = try TestSupport.run(cli, ["analyze", "\(results)/quick", "-q"])
        #expect(analyze.status == 2 && analyze.stderr.contains("layer hidden1 at logged epoch 1") && analyze.stderr.contains("NaN or infinite"),
                "\(analyze.stderr)")
        let resume = try TestSupport.run(cli, ["train", quick, "-q", "--resume", "--results", results] + settings.flatMap { ["--set", $0] })
        #expect(resume.status == 1 && resume.stderr.contains("--force"), "\(resume.stderr)")
        // Told to go on, it trains every epoch; the file still says where it diverged.
        let onward = try TestSupport.run(cli, ["train", quick, "-q", "--force", "--continue-on-divergence", "--results", results]
                                         + settings.flatMap { ["--set", $0] })
        #expect(onward.status == 0, "\(onward.stderr)")
        let continued = try RunFile.open(path)
        #expect(continued.completedEpochs == 30 && continued.status == .diverged && continued.divergedEpoch == 0)
    }

    @Test func plansBeyondTheMachineAreRefusedBeforeWriting() throws {
        let dir = TestSupport.temporaryDirectory("plans")
        defer { try? FileManager.default.removeItem(at: dir) }
        let results = dir.appendingPathComponent("results").path
        let cases: [([String], String)] = [
            (["model.widths=[1000000]"], "GiB"),
            (["data.train_fraction=0"], "data.train_fraction: no training samples"),
            (["recording.samples={subset: 100000}"], "recording.samples: subset of 100000 samples"),
            (["recording.schedule={explicit: [1, 5000]}"], "logged epoch 5000 is beyond the run"),
            (["model.widths=[\(Array(repeating: "2", count: 300).joined(separator: ","))]"], "at most 256"),
            (["name=.."], "start with a letter or digit"),
        ]
        for (settings, message) in cases {
            let result = try TestSupport.run(cli, ["train", quick, "-q", "--results", results, "--set", data] + settings.flatMap { ["--set", $0] })
            #expect(result.status == 2, "\(settings)")
            #expect(result.stderr.contains(message) && result.stderr.split(whereSeparator: \.isNewline).count == 1,
                    "\(settings): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: results), "\(settings) wrote \(results)")
        }
        let limited = try TestSupport.run(cli, ["train", quick, "-q", "--results", results, "--max-file-size", "0.001", "--set", data])
        #expect(limited.status == 2 && limited.stderr.contains("--max-file-size"), "\(limited.stderr)")
    }

    /// The plan's run-file size (what `-v` prints and the limits compare) is the size of
    /// the file the run writes, within 10% (kept contiguous here: that is its size while
    /// the run is live); compacted when finished, it is smaller.
    @Test func thePlannedFileSizeIsTheFileSize() throws {
        let dir = TestSupport.temporaryDirectory("plan-size")
        defer { try? FileManager.default.removeItem(at: dir) }
        let settings = ["repeats=1", "training.epochs=300", data, "recording.compact=false"]
        let trained = try TestSupport.run(cli, ["train", quick, "-q", "--results", dir.path] + settings.flatMap { ["--set", $0] })
        #expect(trained.status == 0, "\(trained.stderr)")
        let experiment = try #require(try ExperimentLoader.load(quick, overrides: settings).first)
        let config = experiment.config
        let prepared = try PreparedData.load(config.data, seed: config.seed, file: quick)
        let model = try ModelFactory.build(config.model, sampleShape: prepared.sampleShape, classes: prepared.classCount, seed: 1, file: quick)
        let estimate = RunResources.estimate(model: model, epochs: 300, recording: config.recording,
                                             recordedRows: prepared.recordedRows(config.recording.samples, seed: 1).count,
                                             trainRows: prepared.split.train.count, dataValues: prepared.examples.inputs.scalars.count)
        let actual = try RunFile.open(dir.appendingPathComponent("quick/run-1.h5").path).sizeOnDisk()
        #expect(Double(estimate.fileBytes).isApproximatelyEqual(to: Double(actual), relativeTolerance: 0.1), "planned \(estimate.fileBytes), written \(actual)")
        let compacted = try RunCompaction.compact(dir.appendingPathComponent("quick/run-1.h5").path)
        #expect(compacted.before == actual && compacted.after < estimate.fileBytes)
    }
}
