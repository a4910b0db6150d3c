import Foundation
import Networks
import Tensor
import TestSupport

/// Tests/ExplanationsTests/Fixtures/golden.json, written by make_golden.py from zennit and
/// Captum in float64 (see the script for the layouts).
struct GoldenFixture: Decodable {
    struct LayerSpec: Decodable {
        var kind: String
        var weights: [Double]?
        var kernel: [Double]?
        var shape: [Int]?
        var bias: [Double]?
        var activation: String?
        var padding: Int?
        var stride: Int?
        var size: Int?
    }

    struct Case: Decodable {
        var input_shape: [Int]
        var layers: [LayerSpec]
        var inputs: [Double]
        var targets: [Int]
        var logits: [Double]
        var maps: [String: [Double]]
        var integrated_gradients_gaps: [String: [Double]]

        func model() throws -> Sequential {
            var layers: [any Layer] = []
            var counts: [String: Int] = [:]
            for spec in self.layers {
                counts[spec.kind, default: 0] += 1
                let activation = spec.activation.flatMap(Activation.init(rawValue:)) ?? .linear
                let floats = { (values: [Double]?) in (values ?? []).map { Float($0) } }
                switch spec.kind {
                case "dense":
                    layers.append(Dense(name: "dense\(counts["dense"]!)", weights: Tensor(shape: spec.shape!, scalars: floats(spec.weights)),
                                        bias: Tensor(shape: [spec.shape![1]], scalars: floats(spec.bias)), activation: activation))
                case "conv2d":
                    layers.append(Conv2D(name: "conv\(counts["conv2d"]!)", kernel: Tensor(shape: spec.shape!, scalars: floats(spec.kernel)),
                                         bias: Tensor(shape: [spec.shape![3]], scalars: floats(spec.bias)),
                                         stride: spec.stride ?? 1, padding: spec.padding ?? 0, activation: activation))
                case "maxpool2d": layers.append(MaxPool2D(name: "maxpool\(counts["maxpool2d"]!)", size: spec.size ?? 2))
                case "avgpool2d": layers.append(AvgPool2D(name: "avgpool\(counts["avgpool2d"]!)", size: spec.size ?? 2))
                default: layers.append(Flatten(name: "flatten"))
                }
            }
            return try Sequential(inputShape: input_shape, layers: layers)
        }

        var inputTensor: Tensor {
            Tensor(shape: [targets.count] + input_shape, scalars: inputs.map { Float($0) })
        }
    }

    var dense: Case
    var conv: Case
    /// The MLP's shape with biases of both signs up to ±3 (Captum's raw-bias rules).
    var biased_dense: Case

    static func load() throws -> GoldenFixture {
        let url = TestSupport.root.appendingPathComponent("Tests/ExplanationsTests/Fixtures/golden.json")
        return try JSONDecoder().decode(GoldenFixture.self, from: Data(contentsOf: url))
    }
}
