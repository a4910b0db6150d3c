import Attribution
import Experiments
import Foundation
import Networks
import Recording
import Reports
import Tensor
import TestSupport
import Testing
import RealModule

/// `infoplane explain` and the model it rebuilds from a run file.
@Suite("infoplane explain", .serialized)
struct ExplainTests {
    let cli = TestSupport.product("infoplane")

    /// Trains a small Fashion-MNIST CNN (1000 training images, 2 epochs) once.
    static let cnnRun: Result<String, any Error> = Result {
        let directory = TestSupport.temporaryDirectory("explain-cnn")
        let config = directory.appendingPathComponent("cnn.yaml").path
        try """
        name: cnn
        seed: 2
        data: {source: fashion_mnist, train_samples: 1000, test_samples: 200}
        model:
          layers: [{conv2d: {filters: 4, kernel: 3, padding: 1}}, {maxpool2d: {size: 2}}, {conv2d: {filters: 8, kernel: 3, padding: 1}},
                   {maxpool2d: {size: 2}}, flatten, {dense: {units: 16}}]
          activation: relu
          initializer: he_normal
        training: {epochs: 2, batch_size: 64, optimizer: {kind: adam, learning_rate: 0.002}}
        recording: {schedule: every_epoch, timing: after, samples: {subset: 60}}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let made = try TestSupport.run(TestSupport.product("infoplane"), ["train", config, "--results", directory.path, "--quiet"])
        guard made.status == 0 else { throw InputFailure(made.stderr) }
        return directory.appendingPathComponent("cnn/run-2.h5").path
    }

    struct InputFailure: Error { var message: String; init(_ m: String) { message = m } }

    /// The rebuilt model reproduces the logits the run recorded at that epoch.
    @Test func rebuiltModelReproducesRecordedLogits() throws {
        let path = try Self.cnnRun.get()
        let run = try RunFile.open(path)
        for (position, epoch) in run.loggedEpochs.enumerated() {
            let loaded = try RunModel.load(path, epoch: epoch)
            #expect(loaded.epoch == epoch)
            let logits = loaded.model(try run.inputs())
            let recorded = try run.activations(layer: run.layers.count - 1, loggedIndex: position)
            let worst = zip(logits.scalars, recorded.scalars).map { abs($0 - $1) }.max() ?? .infinity
            // Float32 storage: the same bits up to BLAS summation order.
            #expect(run.storage == .float32)
            #expect(worst < 1e-5 * max(1, recorded.scalars.map(abs).max() ?? 1), "epoch \(epoch): \(worst)")
        }
        #expect(throws: (any Error).self) { try RunModel.load(path, epoch: 77) }
    }

    @Test func writesTheReportForACNN() throws {
        let path = try Self.cnnRun.get()
        let plots = TestSupport.temporaryDirectory("explain-plots")
        defer { try? FileManager.default.removeItem(at: plots) }
        let result = try TestSupport.run(cli, ["explain", path, "--count", "3", "--plots", plots.path])
        #expect(result.status == 0, "\(result.stderr)")
        for method in ["gradient", "integrated_gradients", "gradcam", "occlusion", "lrp:epsilon_plus_flat", "lrp:epsilon_gamma_box", "lrp:deep_taylor"] {
            #expect(result.stdout.contains(method), "\(method) missing from \(result.stdout)")
        }
        // One report, placed by experiment, run and epoch.
        let reports = TestSupport.find("index.html", under: plots)
        #expect(reports.count == 1 && reports.allSatisfy { $0.contains("/cnn/run-2/epoch-") && $0.hasSuffix("/explain/index.html") }, "\(reports)")
        let html = try String(contentsOfFile: try #require(reports.first), encoding: .utf8)
        for section in ["Summary across inputs", "Conservation", "Inputs and maps", "Sanity check: cascading randomisation"] {
            #expect(html.contains(section))
        }
        // 3 inputs × (input + 10 maps, then the 5 maps in logit units on one scale) inlined
        // PNGs, nothing external.
        let sections = html.components(separatedBy: "<h2>Feature visualisation</h2>")
        #expect(sections.count == 2)
        #expect(sections[0].components(separatedBy: "src=\"data:image/png;base64,").count - 1 == 48)
        #expect(!html.contains("src=\"http") && !html.contains("<script"))
        // Classes by their Fashion-MNIST names; the epoch explained; conservation columns
        // named apart; the dashes explained; no repository path in the footer.
        let explained = html.components(separatedBy: "explained: ").dropFirst().map { String($0.prefix { $0 != "<" }) }
        #expect(explained.count == 3 && explained.allSatisfy { ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"].contains($0) }, "\(explained)")
        #expect(html.contains("is the state after") && html.contains("<th>into conv1</th>") && html.contains("<th>logit</th>"))
        #expect(html.contains("A dash – marks") && !html.contains("docs/explanations.md"))
        // Σ map / logit where the map is in the logit's units; a dash for the others, as the caption says.
        for method in ["gradient", "guided_backprop", "gradcam", "occlusion"] {
            #expect(html.range(of: "<tr><td>\(method)</td><td>[^<]*</td><td>–</td>", options: .regularExpression) != nil, "\(method): Σ/logit not a dash")
        }
        for method in ["integrated_gradients", "lrp:epsilon_plus_flat"] {
            #expect(html.range(of: "<tr><td>\(method)</td><td>[^<]*</td><td>-?[0-9.]+</td>", options: .regularExpression) != nil, "\(method): no Σ/logit")
        }
        let maps = try String(contentsOfFile: try #require(TestSupport.find("maps.svg", under: plots).first), encoding: .utf8)
        #expect(maps.components(separatedBy: "class=\"column-title\"").count - 1 >= 11)
        #expect(maps.contains("logit units: ±"))
        // The feature-visualisation section, as PNG tiles: 4 filters, one maximised image per
        // explained class, and an input and a map per input for occlusion.
        let classes = Set(explained).count
        if sections.count == 2 {
            #expect(sections[1].components(separatedBy: "src=\"data:image/png;base64,").count - 1 == 4 + classes + 6)
        }
        // h5py reads the maps: one [3, 28, 28, 1] array per method, Grad-CAM included.
        let check = try TestSupport.runPython("""
        import sys, h5py, numpy as np
        f = h5py.File(sys.argv[1], "r")
        maps = f["maps"]
        assert len(maps) == 10, list(maps)
        for name in maps:
            assert maps[name].shape == (3, 28, 28, 1), (name, maps[name].shape)
            assert np.isfinite(maps[name][...]).all(), name
        # Deep Taylor (z^B, z+) maps of a positive logit are non-negative.
        logits = maps["lrp_deep_taylor"].attrs["explained_logit"]
        for b in range(3):
            if logits[b] > 0:
                assert maps["lrp_deep_taylor"][b].min() >= -1e-6
        print(f["inputs"].shape, list(f["targets"][...]))
        """, [try #require(TestSupport.find("explanations.h5", under: plots).first)])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.hasPrefix("(3, 28, 28, 1)"))
    }

    /// An `explain` section makes `infoplane run` write the report; a bad one is a located
    /// config error before anything trains.
    @Test func runWritesTheConfiguredReport() throws {
        let directory = TestSupport.temporaryDirectory("explain-config")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("x.yaml").path
        let body = """
        name: x
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
        model: {widths: [8, 4], activation: relu}
        training: {epochs: 10, batch_size: 512, optimizer: {kind: adam, learning_rate: 0.003}}
        recording: {schedule: every_epoch, samples: {subset: 100}}

        """
        try (body + "explain: {methods: [gradient_x_input, 'lrp:zplus'], count: 3, sanity: false}\n").write(toFile: config, atomically: true, encoding: .utf8)
        let plots = directory.appendingPathComponent("plots").path
        let result = try TestSupport.run(cli, ["run", config, "--results", directory.path, "--plots", plots])
        #expect(result.status == 0, "\(result.stderr)")
        let html = try String(contentsOfFile: try #require(TestSupport.find("index.html", under: URL(fileURLWithPath: plots)).first), encoding: .utf8)
        #expect(html.contains("lrp:zplus") && html.contains("gradient_x_input") && !html.contains("Sanity check"))

        // One set of defaults: the same settings on the command line give the same report,
        // byte for byte but for the time each method took.
        let cliPlots = directory.appendingPathComponent("cli-plots").path
        let explained = try TestSupport.run(cli, ["explain", directory.appendingPathComponent("x/run-1.h5").path, "--methods", "gradient_x_input,lrp:zplus",
                                                  "--count", "3", "--no-sanity", "--plots", cliPlots, "-q"])
        #expect(explained.status == 0, "\(explained.stderr)")
        for name in ["explanations.h5", "maps.svg", "maps.png"] {
            let fromConfig = try #require(TestSupport.find(name, under: URL(fileURLWithPath: plots)).first)
            let fromCLI = try #require(TestSupport.find(name, under: URL(fileURLWithPath: cliPlots)).first)
            #expect(try Data(contentsOf: URL(fileURLWithPath: fromConfig)) == Data(contentsOf: URL(fileURLWithPath: fromCLI)), "\(name)")
            #expect(fromConfig.dropFirst(plots.count) == fromCLI.dropFirst(cliPlots.count))
        }
        func withoutTimes(_ text: String) -> String {
            // The second column of the method table is the time taken (ms): the one cell that may differ.
            text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                guard line.hasPrefix("<tr><td>") else { return String(line) }
                var cells = line.components(separatedBy: "</td><td>")
                if cells.count > 2 { cells[1] = "?" }
                return cells.joined(separator: "</td><td>")
            }.joined(separator: "\n")
        }
        let cliHTML = try String(contentsOfFile: try #require(TestSupport.find("index.html", under: URL(fileURLWithPath: cliPlots)).first), encoding: .utf8)
        #expect(withoutTimes(html) == withoutTimes(cliHTML))
        try (body + "explain: {methods: [lrp:zplsu]}\n").write(toFile: config, atomically: true, encoding: .utf8)
        let bad = try TestSupport.run(cli, ["run", config, "--results", directory.path, "--plots", plots, "--force"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("unknown method lrp:zplsu") && bad.stderr.contains("x.yaml:6"))
    }

    /// The default inputs are test samples of different classes, never a constant input
    /// (var_u's all-zero pattern, whose maps are identically zero) while others exist.
    @Test func defaultInputsAreInformative() throws {
        let labels = [0, 0, 1, 1, 0], splits: [UInt8] = [1, 1, 1, 1, 0]
        let constant: Set<Int> = [0, 2]
        #expect(try ExplanationStudy.defaultRows(labels: labels, splits: splits, count: 2) { !constant.contains($0) } == [1, 3])
        #expect(try ExplanationStudy.defaultRows(labels: labels, splits: splits, count: 2) == [0, 2])
        // Nothing informative among the test samples: they are still explained.
        #expect(try ExplanationStudy.defaultRows(labels: labels, splits: splits, count: 2) { _ in false } == [0, 2])
    }

    /// The memory plan counts passes over the samples, the faithfulness batches and
    /// occlusion, and refuses with the numbers (a 28×28 CNN: 10,000 faithfulness steps of
    /// one sample hold as much as 5,000 samples' forward and backward pass).
    @Test func explanationsBeyondTheMemoryBudgetAreRefused() throws {
        var rng = SeededRNG(seed: 1)
        let model = try Sequential(inputShape: [28, 28, 1], layers: [
            Conv2D(name: "conv1", kernelSize: (3, 3), inputChannels: 1, outputChannels: 8, padding: 1, activation: .relu, rng: &rng),
            Flatten(name: "flatten"),
            Dense(name: "output", inputSize: 28 * 28 * 8, outputSize: 10, rng: &rng),
        ])
        let units = 784 + 784 * 8 + 784 * 8 + 10, parameters = 8 * 9 + 8 + 784 * 8 * 10 + 10
        let plain = ExplanationPlan(model: model, samples: 6, methods: 3, faithfulnessSteps: nil, occlusion: false)
        #expect(plain.memoryBytes == 6 * 784 * 4 * 7 + parameters * 12 + 6 * units * 16)
        let steps = ExplanationPlan(model: model, samples: 6, methods: 3, faithfulnessSteps: 10_000, occlusion: true)
        #expect(steps.memoryBytes == 6 * 784 * 4 * 7 + parameters * 12 + 10_001 * units * 8)
        try steps.check(samples: 6, steps: 10_000, limit: steps.memoryBytes)
        do {
            try steps.check(samples: 6, steps: 10_000, limit: 512 << 20)
            Issue.record("a plan of \(steps.memoryBytes) bytes passed a limit of 512 MiB")
        } catch {
            #expect(error.description.hasPrefix("explaining 6 samples with 10000 faithfulness steps needs about 1018.6 MiB of memory; the limit is 512.0 MiB"), "\(error)")
            #expect(error.description.contains("--count"))
        }
    }

    /// The var_u MLP: 12 inputs as a strip, no Grad-CAM; a run without recorded weights
    /// is explained from its checkpoint, and only at its last epoch.
    @Test func explainsAnMLPFromItsCheckpoint() throws {
        let directory = TestSupport.temporaryDirectory("explain-mlp")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("m.yaml").path
        try """
        name: m
        seed: 4
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
        model: {widths: [10, 7, 5], activation: relu}
        training: {epochs: 30, batch_size: 256, optimizer: {kind: adam, learning_rate: 0.003}}
        recording: {schedule: every_epoch, samples: {subset: 64}, weights: false}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try TestSupport.run(cli, ["train", config, "--results", directory.path, "--quiet"]).status == 0)
        let path = directory.appendingPathComponent("m/run-4.h5").path
        let plots = directory.appendingPathComponent("plots").path
        let result = try TestSupport.run(cli, ["explain", path, "--inputs", "0,5,9", "--plots", plots, "--labels"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("at epoch 30"))
        let html = try String(contentsOfFile: plots + "/m/run-4/epoch-30/explain/index.html", encoding: .utf8)
        #expect(html.contains("class=\"strip\"") && html.contains("for its label"))
        // Flat inputs are perturbed one at a time, and the report says so.
        #expect(html.contains("single inputs") && !html.contains("2×2 regions"))
        // Gradient × input and LRP-0 agree on this ReLU network: the same Σ / logit.
        let pair = try TestSupport.run(cli, ["explain", path, "--methods", "gradient_x_input,lrp:lrp0", "--plots", plots, "--no-sanity"])
        #expect(pair.status == 0, "\(pair.stderr)")
        let ratios = pair.stdout.split(separator: "\n").filter { $0.contains("Σ/logit") }
            .compactMap { line in line.split(separator: " ").drop { $0 != "Σ/logit" }.dropFirst().first.flatMap { Double($0) } }
        #expect(ratios.count == 2 && ratios[0].isApproximatelyEqual(to: ratios[1], absoluteTolerance: 2e-3), "\(pair.stdout)")
        let early = try TestSupport.run(cli, ["explain", path, "--epoch", "3", "--plots", plots])
        #expect(early.status == 2)
        #expect(early.stderr.contains("did not record weights"))
        let unknown = try TestSupport.run(cli, ["explain", path, "--methods", "lrp:nonsense", "--plots", plots])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown LRP composite nonsense"))
        let gradcam = try TestSupport.run(cli, ["explain", path, "--methods", "gradcam", "--plots", plots])
        #expect(gradcam.status == 2 && gradcam.stderr.contains("Conv2D"))
    }
}
