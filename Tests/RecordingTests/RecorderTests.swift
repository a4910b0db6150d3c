import Datasets
import Foundation
import HDF5
import Networks
import Recording
import Tensor
import Testing
import TestSupport
import RealModule

/// Keeps every minibatch's weight gradients and every layer output it is handed.
final class CapturingObserver: TrainingObserver {
    let observedRows: [Int]
    var gradients: [Int: [[[Float]]]] = [:]   // epoch → minibatch → layer → weights gradient
    var outputs: [Int: [Tensor]] = [:]       // completed epochs → layer outputs
    var weights: [Int: [Float]] = [:]        // completed epochs → first layer's weights

    init(rows: [Int]) { observedRows = rows }
    func wantsLayerOutputs(completedEpochs: Int) -> Bool { true }
    func didComputeGradients(_ event: MinibatchEvent) throws {
        gradients[event.epoch, default: []].append(event.gradients.map { $0.first?.scalars ?? [] })
    }
    func didEvaluate(_ event: EvaluationEvent) throws {
        outputs[event.completedEpochs] = event.layerOutputs
        weights[event.completedEpochs] = event.model.layers[0].parameters[0].scalars
    }
}

@Suite("Run recorder")
struct RecorderTests {
    struct Setup {
        var examples: Examples
        var split: Split
        var model: Sequential
        var samples: RecordedSamples
    }

    static func setup(sampleRows: [Int]) throws -> Setup {
        let data = try DatasetLoaders.mat(TestSupport.dataFile("var_u.mat"))
        let examples = Examples(inputs: data.inputs, labels: data.labels)
        let split = Split.shuffled(count: 4096, trainFraction: 0.8, seed: 2)
        let model = try Sequential.mlp(inputSize: 12, widths: [10, 7, 5, 4, 3], classes: 2, activation: .tanh,
                                       initializer: .truncatedNormalFanIn, rng: SeededRNG(seed: 2))
        let samples = RecordedSamples(rows: sampleRows, examples: examples, trainRows: split.train, testRows: split.test,
                                      datasetName: "var_u", classCount: 2)
        return Setup(examples: examples, split: split, model: model, samples: samples)
    }

    static func metadata(epochs: Int) -> RunMetadata {
        RunMetadata(experiment: "recorder-test", config: "model:\n  widths: [10, 7, 5, 4, 3]\n", seed: 2,
                    tool: "infoplane test", totalEpochs: epochs)
    }

    /// Records a run, then checks the file against what the trainer handed out.
    @Test(arguments: [LogTiming.before, .after])
    func recordsWhatTheTrainerComputed(_ timing: LogTiming) throws {
        let rows = Array(stride(from: 0, to: 4096, by: 16))
        let s = try Self.setup(sampleRows: rows)
        let path = TestSupport.temporaryDirectory("recorder").appendingPathComponent("run.h5").path
        let epochs = 12
        let recorder = try RunRecorder(path: path, overwrite: false, metadata: Self.metadata(epochs: epochs), model: s.model,
                                       samples: s.samples, optimizer: Adam(learningRate: 4e-4),
                                       options: RecorderOptions(schedule: .explicit([0, 3, 7, 11]), timing: timing))
        let capture = CapturingObserver(rows: rows)
        var trainer = Trainer(model: s.model, optimizer: Adam(learningRate: 4e-4))
        try trainer.train(s.examples, trainRows: s.split.train, testRows: s.split.test,
                          schedule: TrainingSchedule(epochs: epochs, batchSize: 256, seed: 2), observers: [recorder, capture])
        try recorder.finish(completedEpochs: trainer.completedEpochs)

        let run = try RunFile.open(path)
        #expect(run.status == .complete)
        #expect(run.loggedEpochs == [0, 3, 7, 11])
        #expect(run.layers.map(\.name) == ["hidden1", "hidden2", "hidden3", "hidden4", "hidden5", "output"])
        #expect(run.layers.map(\.outputShape) == [[10], [7], [5], [4], [3], [2]])
        #expect(try run.sampleCount() == rows.count)
        for (position, k) in run.loggedEpochs.enumerated() {
            let state = timing.completedEpochs(forLogged: k)
            for layer in 0..<6 {
                #expect(try run.activations(layer: layer, loggedIndex: position) == capture.outputs[state]![layer])
            }
        }
        let (metricEpochs, metrics) = try run.metrics()
        #expect(metricEpochs == Array(0...epochs))
        #expect(metrics["train_accuracy"]!.allSatisfy { $0 > 0.3 && $0 <= 1 })

        // Gradient statistics from the captured minibatch gradients, computed here directly.
        let (gradientEpochs, statistics) = try run.gradientStatistics()
        #expect(gradientEpochs == [0, 3, 7, 11])
        for (position, epoch) in gradientEpochs.enumerated() {
            let batches = capture.gradients[epoch]!
            #expect(batches.count == 13)
            for layer in 0..<6 {
                let count = batches[0][layer].count
                var meanSquares = 0.0, varianceSum = 0.0
                for i in 0..<count {
                    let values = batches.map { Double($0[layer][i]) }
                    let mean = values.reduce(0, +) / Double(values.count)
                    meanSquares += mean * mean
                    varianceSum += values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
                }
                let series = statistics[run.layers[layer].name]!
                #expect((series["mean_norm"]![position]).isApproximatelyEqual(to: meanSquares.squareRoot(), absoluteTolerance: 1e-9))
                #expect((series["std_norm"]![position]).isApproximatelyEqual(to: varianceSum.squareRoot(), absoluteTolerance: 1e-9))
                #expect((series["snr"]![position]).isApproximatelyEqual(to: meanSquares.squareRoot() / varianceSum.squareRoot(), absoluteTolerance: 1e-6))
            }
            // Weight norm at the end of that epoch.
            let w = capture.weights[epoch + 1]!.map(Double.init)
            #expect((statistics["hidden1"]!["weight_norm"]![position]).isApproximatelyEqual(to: w.reduce(0) { $0 + $1 * $1 }.squareRoot(), absoluteTolerance: 1e-5))
        }
    }

    /// h5py reads every dataset and attribute and checks them against the Swift side.
    @Test func h5pyReadsTheRunFile() throws {
        let rows = Array(0..<4096)
        let s = try Self.setup(sampleRows: rows)
        let directory = TestSupport.temporaryDirectory("recorder-h5py")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("run.h5").path
        let recorder = try RunRecorder(path: path, overwrite: false, metadata: Self.metadata(epochs: 5), model: s.model,
                                       samples: s.samples, optimizer: Adam(learningRate: 4e-4),
                                       options: RecorderOptions(schedule: .everyEpoch, storage: .float16))
        let capture = CapturingObserver(rows: rows)
        var trainer = Trainer(model: s.model, optimizer: Adam(learningRate: 4e-4))
        try trainer.train(s.examples, trainRows: s.split.train, testRows: s.split.test,
                          schedule: TrainingSchedule(epochs: 5, batchSize: 256, seed: 2), observers: [recorder, capture])
        try recorder.finish(completedEpochs: 5)
        let run = try RunFile.open(path)
        let (_, metrics) = try run.metrics()
        // What h5py must find: sums of the float16-rounded activations per layer at epoch 4,
        // the metrics, and the final weights of hidden1.
        let expected: [String: Any] = [
            "sums": capture.outputs[4]!.map { $0.scalars.reduce(0.0) { $0 + Double(Float(Float16($1))) } },
            "train_loss": metrics["train_loss"]!,
            "test_accuracy": metrics["test_accuracy"]!,
            "weights": capture.weights[4]!.map(Double.init),
            "split_train": s.split.train.count,
        ]
        let json = directory.appendingPathComponent("expected.json")
        try JSONSerialization.data(withJSONObject: expected).write(to: json)
        let script = """
        import sys, json, h5py, numpy as np
        e = json.load(open(sys.argv[2]))
        f = h5py.File(sys.argv[1], "r")
        a = f.attrs
        assert a["format"] == "infoplane-run" and int(a["format_version"]) == 2
        arch = json.loads(a["model_architecture"])
        assert arch["inputShape"] == [12] and [n["name"] for n in arch["nodes"]] == ["hidden1", "hidden2", "hidden3", "hidden4", "hidden5", "output"]
        assert arch["nodes"][0]["spec"] == {"dense": {"units": 10, "activation": "tanh"}} and arch["nodes"][0]["inputs"] == ["input"]
        assert a["experiment"] == "recorder-test" and a["log_timing"] == "before"
        assert "widths: [10, 7, 5, 4, 3]" in a["config"] and int(a["seed"]) == 2 and int(a["total_epochs"]) == 5
        assert isinstance(a["created"], str) and a["blas_core"] and int(a["blas_threads"]) >= 1
        assert list(a["scheduled_epochs"]) == [0, 1, 2, 3, 4]
        assert a["compaction"] == "shuffle+deflate(4)"
        assert f["dataset/x"].shape == (4096, 12) and f["dataset/y"].shape == (4096,)
        assert f["dataset"].attrs["name"] == "var_u" and int(f["dataset"].attrs["class_count"]) == 2
        assert int((f["dataset/split"][...] == 0).sum()) == e["split_train"]
        assert f["dataset/index"][...].tolist() == list(range(4096))
        assert int(f["dataset/y"][...].sum()) == 2118
        assert f["epochs"][...].tolist() == [0, 1, 2, 3, 4]
        assert f["metrics/epoch"][...].tolist() == [0, 1, 2, 3, 4, 5]
        assert np.allclose(f["metrics/train_loss"][...], e["train_loss"], rtol=0, atol=0)
        assert np.allclose(f["metrics/test_accuracy"][...], e["test_accuracy"], rtol=0, atol=0)
        names = sorted(f["layers"].keys(), key=lambda n: int(n.split("_")[0]))
        assert names == ["0_hidden1", "1_hidden2", "2_hidden3", "3_hidden4", "4_hidden5", "5_output"], names
        for i, name in enumerate(names):
            g = f["layers"][name]
            act = g["activations"]
            # Compacted when the run finished: whole logged epochs per chunk, shuffled, deflated.
            assert act.dtype == np.float16 and act.chunks[1:] == act.shape[1:], act.chunks
            assert act.compression == "gzip" and act.shuffle
            assert act.shape == (5, 4096, [10, 7, 5, 4, 3, 2][i])
            assert abs(float(act[4].astype(np.float64).sum()) - e["sums"][i]) < 1e-6 * max(1, abs(e["sums"][i]))
            assert g.attrs["kind"] == "dense" and int(g.attrs["index"]) == i
            assert g.attrs["inputs"] == ("input" if i == 0 else names[i - 1].split("_", 1)[1])
            assert g.attrs["activation"] == ("linear" if name.endswith("output") else "tanh")
            assert g["weights"].shape[0] == 5 and g["bias"].shape[0] == 5
            gr = f["gradients"][name]
            for s in ("mean_norm", "std_norm", "snr", "weight_norm"):
                assert gr[s].shape == (5,) and np.all(np.isfinite(gr[s][...]))
            assert np.allclose(gr["snr"][...], gr["mean_norm"][...] / gr["std_norm"][...])
        assert np.array_equal(f["layers/0_hidden1/weights"][4].ravel(), np.array(e["weights"], dtype=np.float32))
        assert f["gradients/epochs"][...].tolist() == [0, 1, 2, 3, 4]
        c = f["checkpoint"]
        assert max(c["completed_epochs"][...]) == 5 and c["parameters"].shape[0] == 2
        print("ok")
        """
        let result = try TestSupport.runPython(script, [path, json.path])
        #expect(result.status == 0, "h5py: \(result.stderr)")
        #expect(result.stdout.contains("ok"))
    }

    @Test func refusesToOverwriteAndUnknownVersions() throws {
        let s = try Self.setup(sampleRows: [0, 1])
        let directory = TestSupport.temporaryDirectory("recorder-refuse")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("run.h5").path
        try "keep me".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: HDF5Error.self) {
            try RunRecorder(path: path, overwrite: false, metadata: Self.metadata(epochs: 1), model: s.model,
                            samples: s.samples, optimizer: Adam(), options: RecorderOptions())
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
        let recorder = try RunRecorder(path: path, overwrite: true, metadata: Self.metadata(epochs: 1), model: s.model,
                                       samples: s.samples, optimizer: Adam(), options: RecorderOptions())
        try recorder.finish(completedEpochs: 0)
        #expect(try RunFile.open(path).status == .incomplete)
        // A future version is refused with the version found.
        let bump = try TestSupport.runPython("""
        import sys, h5py, numpy as np
        with h5py.File(sys.argv[1], "r+") as f:
            f.attrs["format_version"] = np.int32(99)
        """, [path])
        #expect(bump.status == 0, "\(bump.stderr)")
        do {
            _ = try RunFile.open(path)
            Issue.record("expected a version error")
        } catch {
            #expect("\(error)".contains("version 99"))
        }
    }

    /// A recorder writes every row with one `pwrite` at its offset (`H5RowWriter`), in
    /// both storages, and so does one that resumes the file.
    @Test(arguments: [ActivationStorage.float32, .float16])
    func recordersWriteEveryRowDirectly(_ storage: ActivationStorage) throws {
        let folder = TestSupport.temporaryDirectory("recorder-direct")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("run.h5").path
        let s = try Self.setup(sampleRows: [0, 5, 9])
        let recorder = try RunRecorder(path: path, overwrite: false, metadata: Self.metadata(epochs: 4), model: s.model,
                                       samples: s.samples, optimizer: Adam(learningRate: 4e-4),
                                       options: RecorderOptions(schedule: .everyEpoch, storage: storage, compaction: nil))
        #expect(recorder.writesRowsDirectly)
        var trainer = Trainer(model: s.model, optimizer: Adam(learningRate: 4e-4))
        try trainer.train(s.examples, trainRows: s.split.train, testRows: s.split.test,
                          schedule: TrainingSchedule(epochs: 2, batchSize: 256, seed: 2), observers: [recorder])
        try recorder.finish(completedEpochs: 2)
        var model = s.model
        var optimizer: any Optimizer = Adam(learningRate: 4e-4)
        let (resumed, completed) = try RunRecorder.resume(path: path, model: &model, optimizer: &optimizer)
        #expect(completed == 2 && resumed.writesRowsDirectly)
        try resumed.finish(completedEpochs: completed)
    }
}
