import Analysis
import Experiments
import Foundation
import Information
import Networks
import Recording
import Tensor
import TestSupport
import Testing
import RealModule

/// Residual networks from YAML, through every command: the shipped residual MLP trains,
/// reruns bit for bit, records every node (its inputs and the architecture in the run
/// file), is analysed with the DPI along its dominators, and explains; the residual CNN
/// explains with LRP; a version-1 run file is still read.
@Suite("Residual networks from YAML", .serialized)
struct ResidualNetworkTests {
    let cli = TestSupport.product("infoplane")
    static let mlp = TestSupport.root.appendingPathComponent("experiments/residual-mlp.yaml").path

    /// Trains the shipped residual MLP, shortened, into `folder`.
    func train(into folder: URL) throws -> String {
        let result = try TestSupport.run(cli, ["train", Self.mlp, "--set", "training.epochs=60", "--set", "repeats=1",
                                               "--set", "recording.schedule={log_spaced: 8}", "--set", "recording.samples={subset: 256}",
                                               "--results", folder.path, "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        return folder.appendingPathComponent("residual-mlp/run-1.h5").path
    }

    @Test func theResidualMLPTrainsRecordsAndRerunsBitForBit() throws {
        let folder = TestSupport.temporaryDirectory("residual")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try train(into: folder.appendingPathComponent("a"))
        let second = try train(into: folder.appendingPathComponent("b"))
        let (a, b) = (try RunFile.open(first), try RunFile.open(second))
        #expect(a.formatVersion == 2)
        #expect(a.layers.map(\.name) == ["dense1", "block1", "sum1", "block2", "sum2", "dense2", "output"])
        #expect(a.layers[2].kind == .add && a.layers[2].inputs == ["dense1", "block1"])
        #expect(a.layers[4].inputs == ["sum1", "block2"] && a.layers[0].inputs == ["input"])
        // Bit-identical reruns: every node's activations at every logged epoch, and the metrics.
        for layer in a.layers.indices {
            for position in a.loggedEpochs.indices {
                #expect(try a.activations(layer: layer, loggedIndex: position).scalars == b.activations(layer: layer, loggedIndex: position).scalars)
            }
        }
        #expect(try a.metrics().values == b.metrics().values)
        // The sum is the sum of its inputs, as recorded (float16 storage: to its rounding).
        let last = a.loggedEpochs.count - 1
        let (x, fx, sum) = (try a.activations(layer: 0, loggedIndex: last), try a.activations(layer: 1, loggedIndex: last), try a.activations(layer: 2, loggedIndex: last))
        #expect(zip(zip(x.scalars, fx.scalars), sum.scalars).allSatisfy { ($0.0 + $0.1).isApproximatelyEqual(to: $1, absoluteTolerance: 4e-3) })
        // The architecture is stored whole and rebuilds the recorded graph.
        let architecture = try #require(try a.architecture())
        #expect(architecture.nodes.map(\.inputs) == a.layers.map(\.inputs) && !architecture.isChain)
        #expect(architecture.nodes[2].spec == .add && architecture.nodes[1].spec == .dense(units: 10, activation: .tanh))

        // inspect names what each merge takes.
        let inspected = try TestSupport.run(cli, ["inspect", first])
        #expect(inspected.status == 0 && inspected.stdout.contains("← dense1 + block1") && inspected.stdout.contains("run-file format 2"))
        // analyze pairs each layer with its dominator: the sum with the block's input, not its branch.
        let analysed = try TestSupport.run(cli, ["analyze", folder.appendingPathComponent("a/residual-mlp").path, "--quiet"])
        #expect(analysed.status == 0, "\(analysed.stderr)")
        let contents = try AnalysisFile.read(folder.appendingPathComponent("a/residual-mlp/analysis.h5").path)
        #expect(contents.pairs.map { "\(contents.layers[$0.earlier])->\(contents.layers[$0.later])" }
                == ["dense1->block1", "dense1->sum1", "sum1->block2", "sum1->sum2", "sum2->dense2", "dense2->output"])
        // explain rebuilds the graph from the run file and explains it.
        let explained = try TestSupport.run(cli, ["explain", first, "--count", "2", "--methods", "gradient_x_input,lrp:epsilon_plus",
                                                  "--plots", folder.appendingPathComponent("plots").path])
        #expect(explained.status == 0, "\(explained.stderr)")
    }

    /// The shipped residual CNN, shortened: trained, explained by LRP through its sum, and
    /// every feature visualisation on the merge layer itself.
    @Test func theResidualCNNExplainsAndVisualises() throws {
        let folder = TestSupport.temporaryDirectory("residual-cnn")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = TestSupport.root.appendingPathComponent("experiments/residual-cnn.yaml").path
        let trained = try TestSupport.run(cli, ["train", config, "--set", "data.train_samples=600", "--set", "data.test_samples=100",
                                                "--set", "training.epochs=1", "--set", "recording.samples={subset: 40}",
                                                "--results", folder.path, "--quiet"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let run = folder.appendingPathComponent("residual-cnn/run-1.h5").path
        let plots = folder.appendingPathComponent("plots").path
        let explained = try TestSupport.run(cli, ["explain", run, "--count", "2", "--methods", "lrp:epsilon_plus_flat,gradcam", "--plots", plots])
        #expect(explained.status == 0 && explained.stdout.contains("lrp:epsilon_plus_flat"), "\(explained.stderr)")
        for arguments in [["patches", run, "--layer", "residual", "--top", "3"], ["filters", run, "--layer", "conv3"],
                          ["invert", run, "--steps", "5"], ["tsne", run, "--layer", "residual", "--iterations", "250"]] {
            let result = try TestSupport.run(cli, ["visualize"] + arguments + ["--plots", plots])
            #expect(result.status == 0, "visualize \(arguments.joined(separator: " ")): \(result.stderr)")
        }
    }

    @Test func aVersion1RunFileIsReadAsAChain() throws {
        let path = TestSupport.root.appendingPathComponent("Tests/EndToEndTests/Fixtures/run-v1/run-3.h5").path
        let run = try RunFile.open(path)
        #expect(run.formatVersion == 1)
        #expect(run.layers.map(\.inputs) == [["input"], ["hidden1"], ["hidden2"]])
        #expect(run.dominatorPairs == DPICheck.chainPairs(3))
        #expect(try run.architecture() == nil)
        let inspected = try TestSupport.run(cli, ["inspect", path])
        #expect(inspected.status == 0 && inspected.stdout.contains("run-file format 1") && !inspected.stdout.contains("←"), "\(inspected.stderr)")
        let folder = TestSupport.temporaryDirectory("v1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = folder.appendingPathComponent("run-3.h5")
        try FileManager.default.copyItem(atPath: path, toPath: copy.path)
        let analysed = try TestSupport.run(cli, ["analyze", folder.path, "--quiet"])
        #expect(analysed.status == 0, "\(analysed.stderr)")
        let model = try RunModel.load(copy.path, epoch: run.loggedEpochs.last)
        #expect(model.model.isChain && model.model.layers.count == 3)
    }
}
