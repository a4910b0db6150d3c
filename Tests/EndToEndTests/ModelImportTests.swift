import Attribution
import Foundation
import ModelImport
import Tensor
import Testing
import TestSupport

/// Models of other frameworks (examples/byom/make_models.py): our forward pass against
/// the framework's logits, our LRP against zennit's and our saliency against Captum's on
/// the imported PyTorch models.
@Suite("Bring your own model: ONNX and Keras parity")
struct ModelImportParityTests {
    struct Case: Decodable {
        var file: String
        var inputs: [[Double]]
        var sample_shape: [Int]
        var logits: [[Double]]
        var low: Double
        var high: Double
        var targets: [Int]?
        var maps: [String: [[Double]]]?
    }

    struct Fixture: Decodable { var cases: [Case] }

    static let fixture = Result {
        try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: TestSupport.root.appendingPathComponent("Tests/EndToEndTests/Fixtures/byom/parity.json")))
    }

    static func inputs(_ c: Case) -> Tensor {
        Tensor(shape: [c.inputs.count] + c.sample_shape, scalars: c.inputs.flatMap { $0.map(Float.init) })
    }

    /// The largest difference relative to the largest magnitude of each sample's reference.
    static func worst(_ ours: [Float], _ theirs: [[Double]]) -> Double {
        let width = theirs.first?.count ?? 1
        var worst = 0.0
        for (row, reference) in theirs.enumerated() {
            let scale = max(reference.map(abs).max() ?? 0, 1e-12)
            for (k, value) in reference.enumerated() { worst = max(worst, abs(Double(ours[row * width + k]) - value) / scale) }
        }
        return worst
    }

    @Test(arguments: ["examples/byom/var_u_mlp.onnx", "examples/byom/fashion_cnn.onnx", "Tests/EndToEndTests/Fixtures/byom/cnn_legacy.onnx",
                      "examples/byom/var_u_keras.h5", "Tests/EndToEndTests/Fixtures/byom/keras_cnn.h5",
                      "Tests/EndToEndTests/Fixtures/byom/keras_cnn_nhwc.onnx", "Tests/EndToEndTests/Fixtures/byom/batchnorm.onnx",
                      "Tests/EndToEndTests/Fixtures/byom/batchnorm_legacy.onnx", "Tests/EndToEndTests/Fixtures/byom/keras_functional.h5",
                      "Tests/EndToEndTests/Fixtures/byom/global_pool.onnx", "Tests/EndToEndTests/Fixtures/byom/keras_global_pool.h5",
                      "Tests/EndToEndTests/Fixtures/byom/leaky.onnx"])
    func logitsMatchTheFramework(_ file: String) throws {
        let c = try #require(try Self.fixture.get().cases.first { $0.file == file })
        let imported = try ModelImporter.load(TestSupport.root.appendingPathComponent(file).path)
        let model = try imported.sequential()
        let logits = model(Self.inputs(c))
        #expect(logits.scalars.count == c.logits.count * c.logits[0].count)
        let worst = Self.worst(logits.scalars, c.logits)
        #expect(worst < 1e-5, "\(file): logits differ by \(worst) of their size")
    }

    @Test(arguments: ["examples/byom/var_u_mlp.onnx", "examples/byom/fashion_cnn.onnx", "Tests/EndToEndTests/Fixtures/byom/cnn_legacy.onnx"])
    func attributionsMatchZennitAndCaptum(_ file: String) throws {
        let c = try #require(try Self.fixture.get().cases.first { $0.file == file })
        let model = try ModelImporter.load(TestSupport.root.appendingPathComponent(file).path).sequential()
        let targets = try #require(c.targets)
        let methods: [(String, any AttributionMethod)] = [
            ("epsilon_plus_flat", LayerwiseRelevancePropagation(composite: .epsilonPlusFlat())),
            ("epsilon_gamma_box", LayerwiseRelevancePropagation(composite: .epsilonGammaBox(low: Float(c.low), high: Float(c.high)))),
            ("saliency", Gradient(absolute: true)),
        ]
        for (name, method) in methods {
            let expected = try #require(c.maps?[name])
            let map = try method.attribute(model, inputs: Self.inputs(c), target: .classes(targets)).map.scalars
            let worst = Self.worst(map, expected)
            #expect(worst < (name == "saliency" ? 2e-4 : 1e-5), "\(file) \(name): maps differ by \(worst) of each map's largest value")
        }
    }

    @Test func importNotesAndLayout() throws {
        let torch = try ModelImporter.load(TestSupport.root.appendingPathComponent("examples/byom/var_u_mlp.onnx").path)
        #expect(torch.format == .onnx && torch.inputShape == [12] && torch.outputUnits == 2)
        #expect(torch.notes.contains { $0.contains("Softmax is dropped") })
        let cnn = try ModelImporter.load(TestSupport.root.appendingPathComponent("examples/byom/fashion_cnn.onnx").path)
        #expect(cnn.inputShape == [28, 28, 1] && cnn.inputLayout == .nchw)
        #expect(cnn.layers.map(\.kind.rawValue) == ["conv2d", "maxpool2d", "conv2d", "maxpool2d", "flatten", "dense", "dense"])
        let keras = try ModelImporter.load(TestSupport.root.appendingPathComponent("Tests/EndToEndTests/Fixtures/byom/keras_cnn.h5").path)
        #expect(keras.inputLayout == .nhwc && keras.notes.contains { $0.contains("Dropout") })
        #expect(keras.layers.map(\.kind.rawValue) == ["conv2d", "maxpool2d", "conv2d", "avgpool2d", "flatten", "dense", "dense"])
        // Batch normalisation disappears into the layer before; a functional chain reads as a Sequential.
        let bn = try ModelImporter.load(TestSupport.root.appendingPathComponent("Tests/EndToEndTests/Fixtures/byom/batchnorm_legacy.onnx").path)
        #expect(bn.layers.map(\.kind.rawValue) == ["conv2d", "maxpool2d", "flatten", "dense", "dense"] && bn.notes.contains { $0.contains("folded") })
        let functional = try ModelImporter.load(TestSupport.root.appendingPathComponent("Tests/EndToEndTests/Fixtures/byom/keras_functional.h5").path)
        #expect(functional.layers.map(\.kind.rawValue) == ["dense", "dense", "dense"])
    }
}
