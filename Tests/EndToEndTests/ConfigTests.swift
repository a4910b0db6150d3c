import Configuration
import Experiments
import Foundation
import Networks
import Recording
import TestSupport
import Testing
import Yams

@Suite("Experiment configs")
struct ConfigTests {
    /// Every experiment file shipped in experiments/ (a new one cannot be left out).
    static let shipped: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: TestSupport.root.appendingPathComponent("experiments").path)) ?? [])
        .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()

    @Test func theShippedListIsRead() {
        #expect(Set(["quick", "tishby2017", "tishby2017-archived", "saxe2018-tanh", "saxe2018-relu", "saxe2018-mnist", "fashion-cnn",
                     "residual-mlp", "residual-cnn"]).isSubset(of: Set(Self.shipped)))
    }

    /// Every shipped config parses, its data load and its model builds.
    @Test(arguments: shipped)
    func shippedConfigsValidate(_ name: String) throws {
        let path = TestSupport.root.appendingPathComponent("experiments/\(name).yaml").path
        let experiments = try ExperimentLoader.load(path)
        #expect(experiments.count == 1)
        let config = experiments[0].config
        #expect(config.name == name)
        // Data and model, as `run` checks them before writing anything (relative data
        // paths are the config file's, whatever the working directory).
        var dataConfig = config.data
        if dataConfig.source == .fashionMNIST { dataConfig.trainSamples = 100; dataConfig.testSamples = 10 }
        let data = try PreparedData.load(dataConfig, seed: config.seed, file: path)
        let model = try ModelFactory.build(config.model, sampleShape: data.sampleShape, classes: data.classCount, seed: 1, file: path)
        #expect(model.outputSize == data.classCount)
    }

    @Test func theNumbersOfThePapers() throws {
        func load(_ name: String) throws -> ExperimentConfig {
            try ExperimentLoader.load(TestSupport.root.appendingPathComponent("experiments/\(name).yaml").path)[0].config
        }
        let tishby = try load("tishby2017")
        #expect(tishby.repeats == 50 && tishby.training.epochs == 10000 && tishby.data.trainFraction == 0.85)
        #expect(tishby.recording.schedule.epochs(total: 10000).count == 964)
        #expect(tishby.model.widths == [10, 7, 5, 4, 3])
        let archived = try load("tishby2017-archived")
        #expect(archived.model.widths == [10, 7, 5, 4, 4, 3] && archived.training.batchSize == nil && archived.repeats == 20)
        #expect(archived.analysis.estimators.first == .binning(.edges(50), .fixed(-1, 1)))
        let relu = try load("saxe2018-relu")
        #expect(relu.model.activation == .relu && relu.recording.schedule.epochs(total: 10000).count == 211)
        #expect(relu.analysis.estimators.first == .binning(.intervals(100), .global))
        #expect(relu.training.optimizer.epsilon == 1e-7)
        let mnist = try load("saxe2018-mnist")
        #expect(mnist.training.optimizer.kind == .sgd && mnist.training.batchSize == 128)
        // ibsgd's softmax layer is a Keras Dense with its default glorot_uniform, whatever
        // the hidden layers use.
        for config in [relu, try load("saxe2018-tanh"), mnist] {
            #expect(config.model.initializer == .truncatedNormalFanOut && config.model.outputInitializer == .glorotUniform)
        }
        #expect(tishby.model.outputInitializer == nil)
    }

    /// `output_initializer` initialises the output layer alone, in both model forms.
    @Test func outputInitializerAppliesToTheOutputLayerOnly() throws {
        for model in ["{widths: [4, 3], initializer: he_normal, output_initializer: zeros}",
                      "{layers: [{dense: {units: 4}}], initializer: he_normal, output_initializer: zeros}"] {
            let text = "name: t\ndata: {source: mat, path: x.mat}\nmodel: \(model)\ntraining: {epochs: 1, optimizer: {kind: sgd, learning_rate: 0.1}}\n"
            let config = try ExperimentLoader.parse(text, file: "t.yaml")[0].config
            let built = try ModelFactory.build(config.model, sampleShape: [12], classes: 2, seed: 1, file: "t.yaml")
            #expect(built.layers.last?.parameters[0].scalars.allSatisfy { $0 == 0 } == true, "\(model)")
            #expect(built.layers.first?.parameters[0].scalars.contains { $0 != 0 } == true, "\(model)")
        }
    }

    /// Writes `text` as a config and expects loading (and preparing) it to fail with a
    /// message containing `fragments`.
    func expectError(_ text: String, overrides: [String] = [], _ fragments: String...) throws {
        let directory = TestSupport.temporaryDirectory("config")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("bad.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            let experiments = try ExperimentLoader.load(path, overrides: overrides)
            let jobs = RunPlan.jobs(for: experiments, resultsRoot: directory.appendingPathComponent("results").path)
            _ = try RunExecutor(logger: .init(label: "test")).prepare(jobs, options: RunOptions(tool: "test"))
            Issue.record("expected an error for:\n\(text)")
        } catch {
            for fragment in fragments { #expect(error.description.contains(fragment), "\(error.description)") }
        }
        // Nothing written.
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("results").path))
    }

    static let good = """
    name: t
    data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
    model: {widths: [4, 3]}
    training:
      epochs: 3
      batch_size: 256
      optimizer: {kind: adam, learning_rate: 0.001}
    """

    @Test func badConfigsSayWhereAndWhat() throws {
        try expectError(Self.good + "\nrecording: {shedule: ibsgd}\n", "bad.yaml:8:13", "recording.shedule", "did you mean \"schedule\"")
        try expectError(Self.good.replacingOccurrences(of: "epochs: 3", with: "epochs: three"), "bad.yaml:5:11", "training.epochs", "expected an integer")
        try expectError(Self.good.replacingOccurrences(of: "epochs: 3", with: "epochs: -4"), "training.epochs", "out of range")
        try expectError(Self.good.replacingOccurrences(of: "learning_rate: 0.001", with: "learning_rate: 0.001, momentum: 0.9"),
                        "training.optimizer.momentum", "SGD's")
        try expectError(Self.good.replacingOccurrences(of: "var_u.mat", with: "missing.mat"), "data.path", "no such file")
        try expectError(Self.good.replacingOccurrences(of: "model: {widths: [4, 3]}", with: "model: {layers: [{conv2d: {filters: 2, kernel: 3}}]}"),
                        "model", "needs [height, width, channels]")
        try expectError(Self.good.replacingOccurrences(of: "{widths: [4, 3]}", with: "{widths: [4, 0]}"), "model.widths", "out of range")
        try expectError(Self.good + "\nmodel2: 1\n", "unknown key", "model2")
        try expectError(Self.good.replacingOccurrences(of: "{widths: [4, 3]}", with: "{widths: [4, 3], arithmetic: fast}"),
                        "model.arithmetic", "blas", "fused")
        try expectError(Self.good.replacingOccurrences(of: "kind: adam", with: "kind: adma"), "did you mean \"adam\"")
        try expectError(Self.good, overrides: ["training.epochz=4"], "--set training.epochz", "did you mean \"epochs\"")
        try expectError(Self.good, overrides: ["training.epochs=[1]"], "--set training.epochs", "expected an integer")
        try expectError("name: [unclosed\n", "bad.yaml", "not valid YAML")
        try expectError(Self.good + "\nanalysis: {estimators: [{kind: kde, bins: 3}]}\n", "not a parameter of the kde estimator")
        try expectError(Self.good + "\nrecording: {storage: float16}\nanalysis: {estimators: [{kind: knn, k: 3}]}\n", "recording.storage", "measure the rounding")
    }

    /// `model.arithmetic` reaches every dense layer of the built model; a configuration
    /// file that names none gets `fused`, written into its effective configuration; a
    /// stored configuration that names none (runs before `fused` was the default) is `blas`.
    @Test func theArithmeticReachesTheModel() throws {
        let directory = TestSupport.temporaryDirectory("arithmetic")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("a.yaml").path
        try Self.good.write(toFile: path, atomically: true, encoding: .utf8)
        for (overrides, expected) in [([String](), Arithmetic.fused), (["model.arithmetic=fused"], .fused), (["model.arithmetic=blas"], .blas)] {
            let experiment = try #require(try ExperimentLoader.load(path, overrides: overrides).first)
            let config = experiment.config
            #expect(config.model.arithmetic == expected)
            #expect(experiment.effectiveYAML.contains("arithmetic: \(expected.rawValue)"), "\(experiment.effectiveYAML)")
            let model = try ModelFactory.build(config.model, sampleShape: [12], classes: 2, seed: 1, file: path)
            #expect(model.layers.allSatisfy { ($0 as? Dense)?.arithmetic == expected }, "\(overrides)")
        }
        let stored = try #require(try ExperimentLoader.parse(Self.good, file: "stored").first)
        #expect(stored.config.model.arithmetic == .blas && !stored.effectiveYAML.contains("arithmetic"))
    }

    @Test func overridesAndSweeps() throws {
        let directory = TestSupport.temporaryDirectory("sweep")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("sweep.yaml").path
        try (Self.good + "\nsweep: {model.activation: [tanh, relu], data.train_fraction: [0.5, 0.8]}\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let experiments = try ExperimentLoader.load(path, overrides: ["repeats=3", "training.epochs=7"])
        #expect(experiments.count == 4)
        #expect(experiments.map(\.variant) == ["activation=tanh,train_fraction=0.5", "activation=tanh,train_fraction=0.8",
                                               "activation=relu,train_fraction=0.5", "activation=relu,train_fraction=0.8"])
        #expect(experiments.allSatisfy { $0.config.repeats == 3 && $0.config.training.epochs == 7 })
        #expect(experiments[2].config.model.activation == .relu && experiments[2].config.data.trainFraction == 0.5)
        // The effective YAML holds the overrides and the variant's values, not the sweep.
        #expect(experiments[2].effectiveYAML.contains("epochs: 7"))
        #expect(experiments[2].effectiveYAML.contains("activation: relu"))
        #expect(!experiments[2].effectiveYAML.contains("sweep"))
        let jobs = RunPlan.jobs(for: experiments, resultsRoot: "r")
        #expect(jobs.count == 12)
        let shards = (0..<3).map { RunPlan.shard(jobs, index: $0, count: 3) }
        #expect(Set(shards.flatMap { $0.map(\.outputPath) }) == Set(jobs.map(\.outputPath)))
        #expect(shards.map(\.count) == [4, 4, 4])
    }
}
