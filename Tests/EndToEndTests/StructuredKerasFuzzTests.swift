import Foundation
import HDF5
@testable import ModelImport
import Networks
import Tensor
import Testing
import TestSupport

/// Structured mutations of Keras HDF5 models — layer classes, sizes, strides, pool sizes,
/// activations, paddings, data formats, repeated or missing layers, functional inbound
/// nodes, and weight datasets of other shapes or missing — imported in this process: a
/// crash fails the suite; every mutant imports (and runs a forward pass) or is a
/// ``ModelImportError``. `make test` runs 300 mutants per seed; `make fuzz` more.
@Suite("Fuzzing: structured Keras mutations in process")
struct StructuredKerasFuzzTests {
    static var casesPerSeed: Int { max(300, FuzzTests.casesPerFormat * 30) }
    static let seeds = ["examples/byom/var_u_keras.h5", "Tests/EndToEndTests/Fixtures/byom/keras_cnn.h5",
                        "Tests/EndToEndTests/Fixtures/byom/keras_functional.h5", "Tests/EndToEndTests/Fixtures/byom/keras_global_pool.h5"]
    static var hostile: [Any] { [0, -1, 1, 2, 3, 1 << 24, 1 << 40, Int.max, Int.min, 1.5, Double.greatestFiniteMagnitude, "x", NSNull(), [Int](), [0, 0], [1, 2, 3]] }

    /// Mutates the configuration's layers; returns a description.
    static func mutate(_ layers: inout [[String: Any]], _ random: inout FuzzRandom) -> String {
        guard !layers.isEmpty else { return "no layers" }
        let i = random.below(layers.count)
        var layer = layers[i]
        var config = layer["config"] as? [String: Any] ?? [:]
        defer { layer["config"] = config; if i < layers.count { layers[i] = layer } }
        switch random.below(9) {
        case 0:
            layer["class_name"] = random.pick(KerasImporter.layerClasses + ["Conv1D", "LSTM", "Add", ""])
            return "layer \(i) class \(layer["class_name"] ?? "")"
        case 1:
            let key = random.pick(["units", "filters", "kernel_size", "strides", "pool_size", "rate", "epsilon", "negative_slope", "alpha", "groups", "dilation_rate", "max_value", "keepdims"])
            config[key] = random.pick(hostile)
            return "layer \(i) \(key) = \(config[key] ?? "")"
        case 2:
            config["activation"] = random.pick(["relu", "gelu", "softmax", "log_softmax", "", "tanh", "swish"] as [Any] + [5, NSNull()])
            return "layer \(i) activation \(config["activation"] ?? "")"
        case 3:
            config["padding"] = random.pick(["same", "valid", "causal", "", 3] as [Any])
            return "layer \(i) padding \(config["padding"] ?? "")"
        case 4:
            config["data_format"] = random.pick(["channels_first", "channels_last", ""])
            return "layer \(i) data_format \(config["data_format"] ?? "")"
        case 5:
            let copies = 1 + random.below(300)
            layers.insert(contentsOf: Array(repeating: layers[i], count: copies), at: i)
            return "layer \(i) repeated \(copies)×"
        case 6:
            layers.remove(at: i)
            return "layer \(i) removed"
        case 7:
            let key = random.pick(["batch_shape", "batch_input_shape"])
            config[key] = [NSNull()] + (0..<random.below(5)).map { _ in random.pick(hostile) }
            return "layer \(i) \(key) = \(config[key] ?? "")"
        default:
            layer["inbound_nodes"] = random.pick([[], [[["missing", 0, 0, [String: Any]()]]], [["args": [["config": ["keras_history": [5]]]]]], "x"] as [Any])
            return "layer \(i) inbound nodes mutated"
        }
    }

    /// Replaces or removes a weight dataset of a random layer.
    static func mutateWeights(_ file: H5File, _ random: inout FuzzRandom) throws -> String {
        guard file.isGroup("model_weights") else { return "no weights group" }
        let root = try file.group("model_weights")
        let groups = try root.childNames().filter { root.isGroup($0) }
        guard !groups.isEmpty else { return "no layer weights" }
        var group = try root.group(random.pick(groups))
        // Descend to the group holding datasets (Keras 2 nests <layer>/<layer>/kernel:0).
        for _ in 0..<4 {
            let children = try group.childNames()
            guard let sub = children.first(where: { group.isGroup($0) }), !children.contains(where: { group.isDataset($0) }) else { break }
            group = try group.group(sub)
        }
        let datasets = try group.childNames().filter { group.isDataset($0) }
        guard let name = datasets.isEmpty ? nil : random.pick(datasets) else { return "no datasets" }
        try group.remove(name)
        if random.below(3) == 0 { return "\(group.path)/\(name) removed" }
        let shape = (0..<1 + random.below(4)).map { _ in random.pick([0, 1, 2, 3, 7]) }
        let values = [Float](repeating: random.pick([0, 1, .nan, .infinity, 1e38]), count: shape.reduce(1, *))
        try group.writeDataset(name, values, shape: shape)
        return "\(group.path)/\(name) now \(shape)"
    }

    @Test(arguments: seeds)
    func mutatedKerasModelsImportOrAreRefused(_ seed: String) throws {
        let source = TestSupport.root.appendingPathComponent(seed)
        let folder = TestSupport.temporaryDirectory("keras-fuzz")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bytes = try Data(contentsOf: source)
        let original = try H5File.open(source.path).stringAttribute("model_config")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(original.utf8)) as? [String: Any])
        var random = FuzzRandom(seed: FuzzTests.baseSeed ^ seed.utf8.reduce(0x84222325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 })
        var findings: [String] = []
        var imported = 0, refused = 0
        for k in 0..<Self.casesPerSeed {
            let path = folder.appendingPathComponent("case-\(k).h5").path
            try bytes.write(to: URL(fileURLWithPath: path))
            var what: [String] = []
            do {
                let file = try H5File.open(path, mode: .readWrite)
                var config = json["config"] as? [String: Any] ?? [:]
                var layers = config["layers"] as? [[String: Any]] ?? []
                for _ in 0...random.below(2) { what.append(Self.mutate(&layers, &random)) }
                config["layers"] = layers
                var mutated = json
                mutated["config"] = config
                let text = String(decoding: try JSONSerialization.data(withJSONObject: mutated), as: UTF8.self)
                try file.setAttribute("model_config", text)
                if random.below(4) == 0 { what.append(try Self.mutateWeights(file, &random)) }
            }
            do {
                let model = try ModelImporter.load(path)
                let network = try model.sequential()
                let count = model.inputShape.reduce(1, *)
                let logits = network(Tensor(shape: [1] + model.inputShape, scalars: [Float](repeating: 0.5, count: count)))
                if logits.scalars.count != model.outputUnits { findings.append("\(seed) case \(k) (\(what.joined(separator: "; "))): \(logits.scalars.count) logits") }
                imported += 1
            } catch is ModelImportError {
                refused += 1
            } catch is NetworkError {
                refused += 1
            } catch {
                findings.append("\(seed) case \(k) (\(what.joined(separator: "; "))): \(type(of: error)): \(error)")
            }
            try? FileManager.default.removeItem(atPath: path)
        }
        #expect(findings.isEmpty, "\(findings.count) findings:\n\(findings.prefix(10).joined(separator: "\n"))")
        // Not a vacuous oracle: the mutants reach both outcomes.
        #expect(imported > 0 && refused > 0, "\(seed): \(imported) imported, \(refused) refused")
    }
}
