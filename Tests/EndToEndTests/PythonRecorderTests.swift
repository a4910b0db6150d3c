import Foundation
import Recording
import Testing
import TestSupport
import RealModule

/// The Python package's recorder (`python/infoplane`, docs/run-file.md "Runs written from
/// Python"): the run files it writes are read, analysed and plotted by the lab unchanged,
/// the same activations give the same analysis to the bit, a training repeated in numpy
/// (and PyTorch, where installed) gives the same analysis within bounds, a killed writer
/// leaves an incomplete run the lab reads up to its last committed epoch, and its logging
/// schedules are the lab's.
@Suite("Python recorder")
struct PythonRecorderTests {
    static let script = TestSupport.root.appendingPathComponent("Tests/EndToEndTests/Fixtures/python/record_parity.py").path
    static let package = ["PYTHONPATH": TestSupport.root.appendingPathComponent("python").path, "PYTHONDONTWRITEBYTECODE": "1"]
    static let config = """
        name: parity
        seed: 3
        data: {source: mat, path: var_u.mat, inputs: F, labels: y, train_fraction: 0.8}
        model: {widths: [10, 7, 5, 4, 3], activation: tanh, initializer: truncated_normal_fan_in}
        training: {epochs: 40, batch_size: full, optimizer: {kind: sgd, learning_rate: 0.5}}
        recording: {schedule: every_epoch, timing: before, storage: float32, weights: true, compact: false}
        analysis:
          estimators:
            - {kind: binning, bins: 30, convention: intervals, range: [-1, 1]}
        """

    static let torchPython = TestSupport.torchPython
    /// The same Python when it has Keras 3 (its torch backend gives the gradients).
    static let kerasPython = torchPython.flatMap { (try? TestSupport.run($0, ["-c", "import keras; assert keras.__version__ >= '3'"], environment: ["KERAS_BACKEND": "torch"]).status) == 0 ? $0 : nil }

    /// The lab's run of the parity network, in a fresh folder.
    static func labRun() throws -> URL {
        let directory = TestSupport.temporaryDirectory("python-recorder")
        try FileManager.default.copyItem(at: TestSupport.root.appendingPathComponent("data/var_u.mat"), to: directory.appendingPathComponent("var_u.mat"))
        try config.write(to: directory.appendingPathComponent("parity.yaml"), atomically: true, encoding: .utf8)
        let trained = try TestSupport.run(TestSupport.product("infoplane"), ["train", "parity.yaml", "--results", "lab", "-q"], directory: directory)
        #expect(trained.status == 0, "\(trained.stderr)")
        return directory
    }

    static func record(_ mode: String, in directory: URL, python: String = TestSupport.python, extra: [String] = []) throws -> TestSupport.ProcessResult {
        try TestSupport.run(python, [script, mode, "lab/parity/run-3.h5", "\(mode)/parity/run-3.h5", "--learning-rate", "0.5"] + extra,
                            environment: package, directory: directory)
    }

    /// The experiment table (`export table`) of a results folder, as rows of fields.
    static func table(_ folder: String, in directory: URL) throws -> [[String]] {
        let cli = TestSupport.product("infoplane")
        let analysed = try TestSupport.run(cli, ["analyze", folder, "-q"], directory: directory)
        #expect(analysed.status == 0, "analyze \(folder): \(analysed.stderr)")
        let exported = try TestSupport.run(cli, ["export", "table", folder, "-o", "\(folder).csv", "-q"], directory: directory)
        #expect(exported.status == 0, "export \(folder): \(exported.stderr)")
        let text = try String(contentsOf: directory.appendingPathComponent("\(folder).csv"), encoding: .utf8)
        return text.split(separator: "\n").map(fields)
    }

    /// The fields of a CSV line (quoted fields may hold commas).
    static func fields(_ line: Substring) -> [String] {
        var fields: [String] = [], field = "", quoted = false
        for character in line {
            if character == "\"" { quoted.toggle() } else if character == "," && !quoted { fields.append(field); field = "" } else { field.append(character) }
        }
        return fields + [field]
    }

    /// Columns ixt_bits, ity_bits of a table (by header).
    static func information(_ rows: [[String]]) -> [(Double, Double)] {
        let header = rows[0]
        guard let x = header.firstIndex(of: "ixt_bits"), let y = header.firstIndex(of: "ity_bits") else { return [] }
        return rows.dropFirst().map { (Double($0[x]) ?? .nan, Double($0[y]) ?? .nan) }
    }

    @Test func theSameActivationsGiveTheSameAnalysisToTheBit() throws {
        let directory = try Self.labRun()
        defer { try? FileManager.default.removeItem(at: directory) }
        let copied = try Self.record("copy", in: directory)
        #expect(copied.status == 0, "\(copied.stderr)")
        let cli = TestSupport.product("infoplane")
        let inspected = try TestSupport.run(cli, ["inspect", "copy/parity/run-3.h5"], directory: directory)
        #expect(inspected.status == 0 && inspected.stdout.contains("complete: 40 of 40 epochs") && inspected.stdout.contains("recorded by  infoplane-python 0.2.0 (numpy;"),
                "\(inspected.stdout)\(inspected.stderr)")
        let lab = Self.information(try Self.table("lab/parity", in: directory))
        let python = Self.information(try Self.table("copy/parity", in: directory))
        #expect(lab.count == 240 && python.count == lab.count)
        #expect(zip(lab, python).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }, "the same activations must give the same bits")
        // Figures and the layout: the lab plots it, and h5py sees the lab's datasets and types.
        let plotted = try TestSupport.run(cli, ["plot", "copy/parity", "-q"], directory: directory)
        #expect(plotted.status == 0, "\(plotted.stderr)")
        let explained = try TestSupport.run(cli, ["explain", "copy/parity/run-3.h5"], directory: directory)
        #expect(explained.status == 2 && explained.stderr.contains("holds no model to rebuild"), "\(explained.stderr)")
        let layout = try TestSupport.run(TestSupport.python, ["-c", """
            import h5py, sys
            def shape(path):
                items = {}
                with h5py.File(path, "r") as f:
                    for key, value in f.attrs.items(): items["@" + key] = type(value).__name__ if isinstance(value, str) else str(getattr(value, "dtype", type(value)))
                    def visit(name, item):
                        if isinstance(item, h5py.Dataset):
                            items[name] = (str(item.dtype), item.shape)
                        for key, value in item.attrs.items():
                            items[name + "@" + key] = type(value).__name__ if isinstance(value, str) else str(getattr(value, "dtype", type(value)))
                    f.visititems(visit)
                return items
            lab, py = shape("lab/parity/run-3.h5"), shape("copy/parity/run-3.h5")
            # What only the lab writes: checkpoints and weights (it can resume and rebuild the model).
            expected_missing = {k for k in lab if k.startswith("checkpoint") or k.endswith("/weights") or k.endswith("/bias") or k == "@model_architecture"}
            missing = set(lab) - set(py) - expected_missing
            differ = {k: (lab[k], py[k]) for k in set(lab) & set(py) if lab[k] != py[k] and not k.startswith("layers/")}
            names = {k.split("/", 2)[-1] for k in py if k.startswith("layers/")} - {k.split("/", 2)[-1] for k in lab if k.startswith("layers/")}
            print(sorted(missing), differ, sorted(names))
            sys.exit(1 if missing or differ or names else 0)
            """], directory: directory)
        #expect(layout.status == 0, "layout differs from the lab's (missing, different types, layer items): \(layout.stdout)\(layout.stderr)")
    }

    @Test func aTrainingRepeatedInNumpyGivesTheSameAnalysisWithinBounds() throws {
        let directory = try Self.labRun()
        defer { try? FileManager.default.removeItem(at: directory) }
        let trained = try Self.record("numpy", in: directory)
        #expect(trained.status == 0, "\(trained.stderr)")
        // float32 arithmetic in another order (numpy's BLAS): 3e-6 here after 40 epochs.
        let measured = try JSONSerialization.jsonObject(with: Data(trained.stdout.utf8)) as? [String: Any]
        let difference = measured?["max_activation_difference"] as? Double ?? .infinity
        #expect(difference < 1e-4, "activations differ by \(difference)")
        let lab = Self.information(try Self.table("lab/parity", in: directory))
        let python = Self.information(try Self.table("numpy/parity", in: directory))
        #expect(python.count == lab.count && lab.count == 240)
        // A value that crosses a bin edge moves one sample: 4e-4 bits here at most.
        let worst = zip(lab, python).map { max(abs($0.0 - $1.0), abs($0.1 - $1.1)) }.max() ?? .infinity
        #expect(worst < 0.01, "binning differs by \(worst) bits")
        let equal = zip(lab, python).filter { $0.0 == $1.0 }.count
        #expect(equal * 10 >= lab.count * 9, "only \(equal) of \(lab.count) I(X;T) values are equal")
        // Figures across the lab's run and the recorded one: the same layer names, overlaid.
        let compared = try TestSupport.run(TestSupport.product("infoplane"), ["compare", "lab/parity", "numpy/parity", "-o", "both", "-q"], directory: directory)
        #expect(compared.status == 0 && FileManager.default.fileExists(atPath: directory.appendingPathComponent("both/layer_paths.svg").path), "\(compared.stderr)")
    }

    @Test(.enabled(if: torchPython != nil, "no Python with torch and onnx (set INFOPLANE_TORCH_PYTHON)"))
    func aTrainingRepeatedInPyTorchGivesTheSameAnalysisWithinBounds() throws {
        let directory = try Self.labRun()
        defer { try? FileManager.default.removeItem(at: directory) }
        let trained = try Self.record("torch", in: directory, python: Self.torchPython ?? TestSupport.python)
        #expect(trained.status == 0, "\(trained.stderr)")
        let measured = try JSONSerialization.jsonObject(with: Data(trained.stdout.utf8)) as? [String: Any]
        #expect((measured?["max_activation_difference"] as? Double ?? .infinity) < 1e-4, "\(trained.stdout)")
        #expect(measured?["layers"] as? [String] == ["tanh_1", "tanh_3", "tanh_5", "tanh_7", "tanh_9", "linear_10"])
        let lab = Self.information(try Self.table("lab/parity", in: directory))
        let python = Self.information(try Self.table("torch/parity", in: directory))
        let worst = zip(lab, python).map { max(abs($0.0 - $1.0), abs($0.1 - $1.1)) }.max() ?? .infinity
        #expect(python.count == 240 && worst < 0.01, "binning differs by \(worst) bits")
        let cli = TestSupport.product("infoplane")
        let inspected = try TestSupport.run(cli, ["inspect", "torch/parity/run-3.h5"], directory: directory)
        #expect(inspected.stdout.contains("tanh_1") && inspected.stdout.contains("dense      tanh"), "\(inspected.stdout)")
        // The lab cannot rebuild the model of such a run and says what to do instead: record
        // the ONNX the recorder exported (onnx=True) on the run's samples, and explain that.
        let refused = try TestSupport.run(cli, ["explain", "torch/parity/run-3.h5"], directory: directory)
        #expect(refused.status == 2 && refused.stderr.contains("infoplane record RUN.onnx"), "\(refused.stderr)")
        let recorded = try TestSupport.run(cli, ["record", "torch/parity/run-3.onnx", "--data", "torch/parity/run-3.h5", "--inputs", "dataset/x",
                                                 "--labels", "dataset/y", "--name", "exported", "--results", "imported", "-q"], directory: directory)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let explained = try TestSupport.run(cli, ["explain", "imported/exported/run-1.h5", "--no-sanity", "--no-faithfulness", "--no-features", "-q"], directory: directory)
        #expect(explained.status == 0, "\(explained.stderr)")
    }

    @Test(.enabled(if: kerasPython != nil, "no Python with Keras 3 and torch (set INFOPLANE_TORCH_PYTHON)"))
    func aKerasFitIsRecordedWithItsGraph() throws {
        let directory = TestSupport.temporaryDirectory("keras-recorder")
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = TestSupport.root.appendingPathComponent("Tests/EndToEndTests/Fixtures/python/record_keras.py").path
        let fitted = try TestSupport.run(Self.kerasPython ?? "", [script, "keras/keras-res/run-1.h5"],
                                         environment: Self.package.merging(["KERAS_BACKEND": "torch"]) { $1 }, directory: directory)
        #expect(fitted.status == 0, "\(fitted.stderr)")
        let measured = try JSONSerialization.jsonObject(with: Data(fitted.stdout.split(separator: "\n").last.map(String.init)?.utf8 ?? "".utf8)) as? [String: Any]
        let cli = TestSupport.product("infoplane")
        let inspected = try TestSupport.run(cli, ["inspect", "keras/keras-res/run-1.h5", "--json"], directory: directory)
        #expect(inspected.status == 0, "\(inspected.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(inspected.stdout.utf8)) as? [String: Any]
        let layers = summary?["layers"] as? [[String: Any]] ?? []
        #expect(layers.map { $0["name"] as? String ?? "" } == ["d1", "d2", "sum", "out"])
        #expect(layers.map { $0["kind"] as? String ?? "" } == ["dense", "dense", "add", "dense"])
        #expect(layers.map { $0["inputs"] as? [String] ?? [] } == [["input"], ["d1"], ["d1", "d2"], ["sum"]])
        // The softmax output is stored as log-probabilities: the lab's loss is Keras's.
        let metrics = try TestSupport.run(TestSupport.python, ["-c", "import h5py; f = h5py.File('keras/keras-res/run-1.h5'); print(f['metrics/train_loss'][-1])"], directory: directory)
        let loss = Double(metrics.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? .nan
        let keras = measured?["loss"] as? Double ?? .nan
        #expect(loss.isApproximatelyEqual(to: keras, absoluteTolerance: 1e-4 * max(keras, 1e-3) + 1e-7), "recorded train loss \(loss), Keras's \(keras)")
        // The recorder's default analysis (30 bins over each layer's range) and the gradient statistics.
        let analysed = try TestSupport.run(cli, ["analyze", "keras/keras-res"], directory: directory)
        #expect(analysed.status == 0 && analysed.stdout.contains("binning_intervals30_auto_range"), "\(analysed.stdout)\(analysed.stderr)")
        let snr = try TestSupport.run(TestSupport.python, ["-c", "import h5py, numpy as np; f = h5py.File('keras/keras-res/run-1.h5'); print(int((f['gradients/epochs'][...] >= 0).sum()), sorted(f['gradients']))"], directory: directory)
        #expect(snr.stdout.hasPrefix("8 ") && snr.stdout.contains("0_d1") && snr.stdout.contains("3_out"), "\(snr.stdout)\(snr.stderr)")
        // save_model=True saved the trained model as .keras, which the lab imports and records on the same samples.
        let recorded = try TestSupport.run(cli, ["record", "keras/keras-res/run-1.keras", "--data", "keras/keras-res/run-1.h5", "--inputs", "dataset/x",
                                                 "--labels", "dataset/y", "--name", "saved", "--results", "imported"], directory: directory)
        #expect(recorded.status == 0, "\(recorded.stderr)")
    }

    @Test func aKilledRecorderLeavesAnIncompleteRunTheLabReads() throws {
        let directory = try Self.labRun()
        defer { try? FileManager.default.removeItem(at: directory) }
        let killed = try Self.record("numpy", in: directory, extra: ["--kill-after", "12"])
        #expect(killed.status != 0)
        let cli = TestSupport.product("infoplane")
        let inspected = try TestSupport.run(cli, ["inspect", "numpy/parity/run-3.h5"], directory: directory)
        #expect(inspected.status == 0 && inspected.stdout.contains("12 of 40"), "\(inspected.stdout)\(inspected.stderr)")
        let refused = try TestSupport.run(cli, ["analyze", "numpy/parity", "-q"], directory: directory)
        #expect(refused.status == 2 && refused.stderr.contains("incomplete"), "\(refused.stderr)")
        let analysed = try TestSupport.run(cli, ["analyze", "numpy/parity", "--include-incomplete"], directory: directory)
        #expect(analysed.status == 0 && analysed.stdout.contains("13 epochs"), "\(analysed.stdout)\(analysed.stderr)")
        // A second writer of the same file is refused while the first holds it; a killed one does not block.
        let again = try Self.record("numpy", in: directory)
        #expect(again.status != 0 && again.stderr.contains("exists"), "\(again.stderr)")
        // A link planted at the lock's name is refused, and what it points to is never written or created.
        let planted = directory.appendingPathComponent("planted")
        try FileManager.default.createDirectory(at: planted, withIntermediateDirectories: true)
        let target = directory.appendingPathComponent("elsewhere.txt")
        try FileManager.default.createSymbolicLink(atPath: planted.appendingPathComponent("run-3.h5.lock").path, withDestinationPath: target.path)
        let linked = try TestSupport.run(TestSupport.python, [Self.script, "numpy", "lab/parity/run-3.h5", "planted/run-3.h5", "--learning-rate", "0.5"],
                                         environment: Self.package, directory: directory)
        #expect(linked.status != 0 && linked.stderr.contains("a symbolic link where the lock file belongs") && !FileManager.default.fileExists(atPath: target.path)
                && !FileManager.default.fileExists(atPath: planted.appendingPathComponent("run-3.h5").path), "\(linked.stderr)")
    }

    @Test func schedulesAreTheLabs() throws {
        let cases: [(String, LoggingSchedule, Int)] = [
            ("'every_epoch'", .everyEpoch, 37), ("'ibsgd'", .ibsgd, 10_000), ("{'every': 7}", .every(7), 100),
            ("{'explicit': [5, 0, 5, 99, 120]}", .explicit([5, 0, 5, 99, 120]), 100),
            ("{'log_spaced': 80}", .logSpaced(count: 80), 3000), ("{'log_spaced': 1800}", .logSpaced(count: 1800), 10_000),
            ("{'log_spaced': 30, 'start': 4}", .logSpaced(count: 30, start: 4), 500), ("{'log_spaced': 2}", .logSpaced(count: 2), 1),
        ]
        let script = "import infoplane, json\nprint(json.dumps([" + cases.map { "infoplane.schedule_epochs(\($0.0), \($0.2))" }.joined(separator: ", ") + "]))"
        let result = try TestSupport.run(TestSupport.python, ["-c", script], environment: Self.package)
        #expect(result.status == 0, "\(result.stderr)")
        let python = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[Int]] ?? []
        #expect(python.count == cases.count)
        for (index, (spelling, schedule, total)) in cases.enumerated() where index < python.count {
            #expect(python[index] == schedule.epochs(total: total), "\(spelling) over \(total) epochs")
        }
    }
}
