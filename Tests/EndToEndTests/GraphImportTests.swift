import Attribution
import Experiments
import Foundation
import ModelImport
import Networks
import Recording
import Tensor
import Testing
import TestSupport

/// Residual and concatenating networks from PyTorch through both ONNX exporters
/// (Fixtures/graphs/make_graph_models.py): the imported graph, its logits against
/// PyTorch's, its LRP maps against zennit's, and the command line on it.
@Suite("ONNX graphs: residual sums, concatenation, fan-out")
struct GraphImportTests {
    struct Case: Decodable {
        var name: String
        var inputs: [[Double]]
        var sample_shape: [Int]
        var logits: [[Double]]
        var targets: [Int]?
        var maps: [String: [[Double]]]?
        var gradients: [[Double]]?
    }

    struct Fixture: Decodable { var cases: [Case] }

    static let folder = TestSupport.root.appendingPathComponent("Tests/EndToEndTests/Fixtures/graphs")
    static let fixture = Result {
        try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: folder.appendingPathComponent("graphs.json")))
    }
    static let files = ["residual_mlp", "residual_mlp_dynamo", "residual_cnn", "residual_cnn_dynamo", "dense_concat", "dense_concat_dynamo",
                        "relu6_cnn", "relu6_cnn_dynamo", "modern_mlp", "modern_mlp_dynamo", "gelu_opset17",
                        "softplus_mlp", "softplus_mlp_dynamo", "separable_cnn", "separable_cnn_dynamo"]

    static func load(_ file: String) throws -> (Case, ImportedModel) {
        let name = file.replacingOccurrences(of: "_dynamo", with: "")
        let c = try #require(try fixture.get().cases.first { $0.name == name })
        return (c, try ModelImporter.load(folder.appendingPathComponent("\(file).onnx").path))
    }

    static func inputs(_ c: Case) -> Tensor {
        Tensor(shape: [c.inputs.count] + c.sample_shape, scalars: c.inputs.flatMap { $0.map(Float.init) })
    }

    @Test(arguments: files)
    func logitsMatchPyTorch(_ file: String) throws {
        let (c, imported) = try Self.load(file)
        let logits = try imported.sequential()(Self.inputs(c))
        let worst = ModelImportParityTests.worst(logits.scalars, c.logits)
        #expect(worst < 1e-5, "\(file): logits differ by \(worst) of their size")
    }

    /// The graphs as the lab names them: activations folded where one path consumes a
    /// layer's output, kept as layers after a merge or where the output also feeds a sum.
    @Test(arguments: ["", "_dynamo"])
    func graphsAreImportedAsTheyAreDrawn(_ exporter: String) throws {
        func nodes(_ name: String) throws -> [String] {
            try Self.load(name + exporter).1.architecture.nodes.map { node in
                "\(node.name)(\(node.spec.kind.rawValue)\(node.spec.activation == .linear ? "" : " " + node.spec.activation.rawValue))<-\(node.inputs.joined(separator: "+"))"
            }
        }
        #expect(try nodes("residual_mlp") == ["dense1(dense relu)<-input", "dense2(dense relu)<-dense1", "add1(add)<-dense1+dense2",
                                              "dense3(dense relu)<-add1", "output(dense)<-dense3"])
        #expect(try nodes("residual_cnn") == [
            "conv1(conv2d relu)<-input", "conv2(conv2d relu)<-conv1", "conv3(conv2d)<-conv2", "add1(add)<-conv3+conv1",
            "activation1(activation relu)<-add1", "conv4(conv2d relu)<-activation1", "conv5(conv2d)<-conv4", "conv6(conv2d)<-activation1",
            "add2(add)<-conv5+conv6", "activation2(activation relu)<-add2", "avgpool1(avgpool2d)<-activation2",
            "flatten1(flatten)<-avgpool1", "output(dense)<-flatten1"])
        #expect(try nodes("dense_concat") == [
            "conv1(conv2d relu)<-input", "conv2(conv2d relu)<-conv1", "concat1(concat)<-conv1+conv2", "conv3(conv2d relu)<-concat1",
            "concat2(concat)<-conv1+conv2+conv3", "conv4(conv2d relu)<-concat2", "avgpool1(avgpool2d)<-conv4", "flatten1(flatten)<-avgpool1",
            "output(dense)<-flatten1"])
    }

    /// LRP through the imported sums and concatenations equals zennit's (its `Sum` rule
    /// for the residual sum; slices for the concatenation), within 1e-5 of each map's
    /// largest value.
    /// GELU (exact and tanh), hard swish and hard sigmoid: each a layer of its own (GELU and
    /// hard swish need their input for the gradient), GELU's erf pattern read as GELU, and
    /// the input gradient of the largest logit against autograd's.
    @Test(arguments: ["modern_mlp", "modern_mlp_dynamo"])
    func modernActivationsMatchPyTorch(_ file: String) throws {
        let (c, imported) = try Self.load(file)
        let model = try imported.sequential()
        #expect(model.layers.map { "\($0.kind.rawValue):\($0.activation.rawValue)" } == [
            "dense:linear", "activation:gelu", "dense:linear", "activation:gelu_tanh", "dense:linear", "activation:hardswish",
            "dense:hardsigmoid", "dense:linear"])
        let targets = c.logits.map { row in row.indices.max { row[$0] < row[$1] } ?? 0 }
        let gradient = try Gradient().attribute(model, inputs: Self.inputs(c), target: .classes(targets)).map.scalars
        let worst = ModelImportParityTests.worst(gradient, try #require(c.gradients))
        #expect(worst < 1e-5, "\(file): input gradients differ by \(worst) of each gradient's largest value")
        let (_, opset17) = try Self.load("gelu_opset17")
        #expect(try opset17.sequential().layers.map(\.activation) == [.linear, .gelu, .linear])
        // A depthwise and a dilated convolution: ordinary kernels with structural zeros, not trainable.
        let (_, separable) = try Self.load("separable_cnn")
        #expect(separable.structuralZeros.count == 2 && separable.notes.contains { $0.contains("grouped (8 groups)") } && separable.notes.contains { $0.contains("dilated (2)") },
                "\(separable.notes)")
        #expect(try separable.sequential().layers.compactMap { $0.parameters.first?.shape } == [[3, 3, 3, 8], [3, 3, 8, 8], [1, 1, 8, 16], [5, 5, 16, 8], [8, 4]])
        // The dynamo exporter's Softplus with its threshold branch is one softplus.
        let (_, softplus) = try Self.load("softplus_mlp_dynamo")
        #expect(try softplus.sequential().layers.map(\.activation) == [.softplus, .linear])
    }

    /// A depthwise or dilated kernel imported with structural zeros is explained and recorded
    /// (0 epochs) but never trained, which would fill the zeros in.
    @Test func structuralZerosAreNotTrained() throws {
        let model = Self.folder.appendingPathComponent("separable_cnn.onnx").path
        func config(epochs: Int) -> String {
            "name: s\ndata: {source: npz, path: none.npz}\nmodel: {from: \(model)}\ntraining: {epochs: \(epochs), batch_size: 8, optimizer: {kind: adam, learning_rate: 0.001}}\n"
        }
        #expect(throws: Never.self) { try ExperimentLoader.parse(config(epochs: 0), file: "s.yaml", importingModels: true) }
        do {
            _ = try ExperimentLoader.parse(config(epochs: 2), file: "s.yaml", importingModels: true)
            Issue.record("training a model with structural zeros was accepted")
        } catch {
            #expect("\(error)".contains("grouped or dilated convolution imported with zeros"), "\(error)")
        }
    }

    @Test(arguments: ["residual_mlp", "residual_mlp_dynamo", "dense_concat", "dense_concat_dynamo", "modern_mlp", "modern_mlp_dynamo",
                      "separable_cnn", "separable_cnn_dynamo"])
    func lrpMatchesZennit(_ file: String) throws {
        let (c, imported) = try Self.load(file)
        let model = try imported.sequential()
        let targets = try #require(c.targets)
        for (name, composite) in [("epsilon_plus_flat", Composite.epsilonPlusFlat()), ("epsilon_gamma_box", Composite.epsilonGammaBox(low: 0, high: 1)),
                                  ("epsilon_alpha2_beta1", Composite.epsilonAlpha2Beta1())] {
            let expected = try #require(c.maps?[name])
            let map = try LayerwiseRelevancePropagation(composite: composite).attribute(model, inputs: Self.inputs(c), target: .classes(targets)).map.scalars
            let worst = ModelImportParityTests.worst(map, expected)
            #expect(worst < 1e-5, "\(file) \(name): maps differ by \(worst) of each map's largest value")
        }
    }

    /// Keras 3: a functional graph (Add, Concatenate, a layer feeding two) from the `.keras`
    /// archive and from HDF5, and a Sequential MLP with ReLU6 from `.keras`, against
    /// Keras's float32 logits.
    @Test(arguments: ["keras_graph.keras", "keras_graph.h5", "keras_mlp.keras", "keras_separable.keras", "keras_separable.h5"])
    func kerasModelsMatchKeras(_ file: String) throws {
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: Self.folder.appendingPathComponent("keras.json")))
        let c = try #require(fixture.cases.first { file.hasPrefix($0.name + ".") })
        let imported = try ModelImporter.load(Self.folder.appendingPathComponent(file).path)
        let logits = try imported.sequential()(Self.inputs(c))
        let worst = ModelImportParityTests.worst(logits.scalars, c.logits)
        #expect(worst < 1e-5, "\(file): logits differ by \(worst) of their size")
        if file.hasPrefix("keras_graph") {
            #expect(imported.architecture.nodes.map { "\($0.name)<-\($0.inputs.joined(separator: "+"))" } == [
                "conv1<-input", "conv2<-conv1", "add1<-conv1+conv2", "concat1<-add1+conv1", "conv3<-concat1",
                "avgpool1<-conv3", "flatten1<-avgpool1", "output<-flatten1"])
            #expect(imported.architecture.nodes[4].spec.activation == .relu6, "batch norm and ReLU6 folded into the 1×1 convolution")
        }
        if file.hasPrefix("keras_separable") {
            // Depthwise (4 groups), the separable one's depthwise half (8), dilated, grouped (2): kernels with structural zeros.
            #expect(imported.structuralZeros.count == 4, "\(imported.notes)")
            #expect(imported.architecture.nodes.map(\.spec.kind.rawValue) == ["conv2d", "conv2d", "conv2d", "conv2d", "conv2d", "activation", "conv2d",
                                                                            "activation", "avgpool2d", "flatten", "dense"])
        }
    }

    /// A `.keras` archive without its weights, or with a weights file of the wrong layout, is
    /// a one-line error naming what is missing.
    @Test func brokenKerasArchivesAreRefused() throws {
        let folder = TestSupport.temporaryDirectory("keras-archive")
        defer { try? FileManager.default.removeItem(at: folder) }
        let made = try TestSupport.runPython("""
        import sys, zipfile
        source = zipfile.ZipFile(sys.argv[1])
        with zipfile.ZipFile(sys.argv[2] + "/no_weights.keras", "w") as z:
            z.writestr("config.json", source.read("config.json"))
        with zipfile.ZipFile(sys.argv[2] + "/bad_weights.keras", "w") as z:
            z.writestr("config.json", source.read("config.json"))
            z.writestr("model.weights.h5", b"not hdf5 at all")
        with zipfile.ZipFile(sys.argv[2] + "/other_model.keras", "w") as z:
            z.writestr("config.json", source.read("config.json"))
            z.writestr("model.weights.h5", zipfile.ZipFile(sys.argv[3]).read("model.weights.h5"))
        """, [Self.folder.appendingPathComponent("keras_graph.keras").path, folder.path, Self.folder.appendingPathComponent("keras_mlp.keras").path])
        #expect(made.status == 0, "\(made.stderr)")
        for (name, message) in [("no_weights", "a zip archive without model.weights.h5"), ("bad_weights", "not an HDF5 file"),
                                ("other_model", "no weights for layer 'c1'")] {
            do {
                _ = try ModelImporter.load(folder.appendingPathComponent("\(name).keras").path)
                Issue.record("\(name) imported")
            } catch {
                #expect(error.description.contains(message), "\(name): \(error)")
            }
        }
    }

    /// From the command line: a DenseNet-style block recorded on image data, every node a
    /// layer of the run file with its inputs, then analysed and explained.
    @Test func recordAnalyseAndExplainAnImportedGraph() throws {
        let folder = TestSupport.temporaryDirectory("graph-import")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("images.npz").path
        let made = try TestSupport.runPython("""
        import numpy as np, sys
        rng = np.random.default_rng(3)
        np.savez(sys.argv[1], x=rng.random((64, 1, 8, 8), dtype=np.float32), y=rng.integers(0, 3, 64))
        """, [data])
        #expect(made.status == 0, "\(made.stderr)")
        let cli = TestSupport.product("infoplane")
        let model = Self.folder.appendingPathComponent("dense_concat_dynamo.onnx").path
        let recorded = try TestSupport.run(cli, ["record", model, "--data", data, "--results", folder.path, "--name", "dense"])
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let run = try RunFile.open(folder.appendingPathComponent("dense/run-1.h5").path)
        #expect(run.layers.map(\.name) == ["conv1", "conv2", "concat1", "conv3", "concat2", "conv4", "avgpool1", "flatten1", "output"])
        #expect(run.layers[4].inputs == ["conv1", "conv2", "conv3"] && run.layers[4].outputShape == [8, 8, 12])
        let analyzed = try TestSupport.run(cli, ["analyze", folder.appendingPathComponent("dense").path, "-q"])
        #expect(analyzed.status == 0, "\(analyzed.stderr)")
        let explained = try TestSupport.run(cli, ["explain", run.path, "--count", "2", "--methods", "lrp:epsilon_plus_flat,gradient",
                                                  "--no-sanity", "--no-features", "--steps", "4", "--plots", folder.appendingPathComponent("plots").path])
        #expect(explained.status == 0, "\(explained.stderr)")
        #expect(explained.stdout.contains("lrp:epsilon_plus_flat"), "\(explained.stdout)")
        // The conservation table marks the layers off some path to the logit: conv2, the
        // first concatenation and conv3 (conv1 and the layers from concat2 on carry totals).
        let page = try String(contentsOfFile: try #require(TestSupport.find("index.html", under: folder.appendingPathComponent("plots")).first), encoding: .utf8)
        for name in ["conv2", "concat1", "conv3"] { #expect(page.contains("<th>into \(name) (branch)</th>"), "\(name)") }
        for name in ["conv1", "concat2", "conv4", "output"] { #expect(page.contains("<th>into \(name)</th>"), "\(name)") }
    }
}
