import Foundation
@testable import ModelImport
import Networks
import SwiftProtobuf
import Tensor
import Testing
import TestSupport

/// Structured mutations of ONNX graphs — input counts, dimensions, attribute types and
/// values, element types, raw data, external-data fields, operator names, outputs — fed to
/// the importer in this process: a crash fails the suite, and the oracle is that every
/// mutant either imports (and then runs a forward pass) or is a ``ModelImportError``.
///
/// `make test` runs 1000 mutants per seed model (a few seconds); `make fuzz`
/// (INFOPLANE_FUZZ_CASES) 100×
/// that per case. A finding names the seed model, the case and the mutations.
@Suite("Fuzzing: structured ONNX mutations in process")
struct StructuredModelFuzzTests {
    static var casesPerSeed: Int { max(1000, FuzzTests.casesPerFormat * 100) }

    static let seeds = ["examples/byom/var_u_mlp.onnx", "examples/byom/fashion_cnn.onnx", "Tests/EndToEndTests/Fixtures/byom/cnn_legacy.onnx",
                        "Tests/EndToEndTests/Fixtures/byom/batchnorm_legacy.onnx", "Tests/EndToEndTests/Fixtures/byom/global_pool.onnx",
                        "Tests/EndToEndTests/Fixtures/byom/leaky.onnx", "Tests/EndToEndTests/Fixtures/byom/keras_cnn_nhwc.onnx",
                        "Tests/EndToEndTests/Fixtures/graphs/residual_cnn.onnx", "Tests/EndToEndTests/Fixtures/graphs/dense_concat_dynamo.onnx",
                        "Tests/EndToEndTests/Fixtures/graphs/relu6_cnn.onnx"]

    /// Sizes and numbers that break careless arithmetic.
    static let hostileInts: [Int64] = [0, -1, 1, 2, 3, 1 << 24, (1 << 24) + 1, 1 << 31, 1 << 40, Int64.max, Int64.min, 65_537]
    static let hostileFloats: [Float] = [.nan, .infinity, -.infinity, 0, -0.0, 1e38, -1e38, .leastNonzeroMagnitude, 0.01, 1]

    enum Mutation: CaseIterable {
        case inputCount, initializerDims, inputDims, attributeValue, attributeType, elementType, rawData, externalData, operatorName, outputs, repeatNode, rewire

        func apply(_ model: inout Onnx_ModelProto, _ random: inout FuzzRandom) -> String {
            var graph = model.graph
            defer { model.graph = graph }
            switch self {
            case .inputCount:
                guard !graph.node.isEmpty else { return "no node" }
                let n = random.below(graph.node.count)
                if random.below(2) == 0 && !graph.node[n].input.isEmpty {
                    graph.node[n].input.removeLast()
                    return "node \(n): one input fewer"
                }
                graph.node[n].input.append(random.pick(["", "x", graph.node[n].input.first ?? "", "missing"]))
                return "node \(n): one input more"
            case .initializerDims:
                guard !graph.initializer.isEmpty else { return "no initializer" }
                let i = random.below(graph.initializer.count)
                if graph.initializer[i].dims.isEmpty || random.below(4) == 0 {
                    graph.initializer[i].dims.append(random.pick(StructuredModelFuzzTests.hostileInts))
                } else {
                    graph.initializer[i].dims[random.below(graph.initializer[i].dims.count)] = random.pick(StructuredModelFuzzTests.hostileInts)
                }
                return "initializer \(i) dims \(graph.initializer[i].dims)"
            case .inputDims:
                guard !graph.input.isEmpty else { return "no input" }
                var shape = graph.input[0].type.tensorType.shape
                guard !shape.dim.isEmpty else { return "no dims" }
                shape.dim[random.below(shape.dim.count)].dimValue = random.pick(StructuredModelFuzzTests.hostileInts)
                graph.input[0].type.tensorType.shape = shape
                return "input dims \(shape.dim.map(\.dimValue))"
            case .attributeValue:
                let withAttributes = graph.node.indices.filter { !graph.node[$0].attribute.isEmpty }
                guard !withAttributes.isEmpty else { return "no attribute" }
                let n = random.pick(withAttributes)
                let a = random.below(graph.node[n].attribute.count)
                var attribute = graph.node[n].attribute[a]
                switch random.below(4) {
                case 0: attribute.f = random.pick(StructuredModelFuzzTests.hostileFloats)
                case 1: attribute.i = random.pick(StructuredModelFuzzTests.hostileInts)
                case 2: attribute.ints = (0..<random.below(6)).map { _ in random.pick(StructuredModelFuzzTests.hostileInts) }
                default: attribute.s = Data(random.pick(["SAME_UPPER", "SAME_LOWER", "VALID", "NOTSET", "", "\u{0}"]).utf8)
                }
                graph.node[n].attribute[a] = attribute
                return "node \(n) attribute \(attribute.name) = f \(attribute.f) i \(attribute.i) ints \(attribute.ints)"
            case .attributeType:
                guard !graph.node.isEmpty else { return "no node" }
                let n = random.below(graph.node.count)
                var attribute = Onnx_AttributeProto()
                attribute.name = random.pick(["alpha", "beta", "epsilon", "axis", "perm", "pads", "strides", "kernel_shape", "group", "dilations", "transB", "auto_pad", "ceil_mode"])
                attribute.f = random.pick(StructuredModelFuzzTests.hostileFloats)
                attribute.i = random.pick(StructuredModelFuzzTests.hostileInts)
                attribute.ints = (0..<random.below(5)).map { _ in random.pick(StructuredModelFuzzTests.hostileInts) }
                graph.node[n].attribute.removeAll { $0.name == attribute.name }
                graph.node[n].attribute.append(attribute)
                return "node \(n) attribute \(attribute.name) replaced (f \(attribute.f), i \(attribute.i), ints \(attribute.ints))"
            case .elementType:
                guard !graph.initializer.isEmpty else { return "no initializer" }
                let i = random.below(graph.initializer.count)
                graph.initializer[i].dataType = Int32(random.below(20))
                return "initializer \(i) data type \(graph.initializer[i].dataType)"
            case .rawData:
                guard !graph.initializer.isEmpty else { return "no initializer" }
                let i = random.below(graph.initializer.count)
                var raw = graph.initializer[i].rawData
                switch random.below(3) {
                case 0: raw = raw.prefix(random.below(raw.count + 1))
                case 1: raw.append(contentsOf: [UInt8](repeating: 0xFF, count: 1 + random.below(16)))
                default: raw = Data(repeating: 0xFF, count: raw.count)  // NaN floats
                }
                graph.initializer[i].rawData = raw
                return "initializer \(i) raw data \(raw.count) bytes"
            case .externalData:
                guard !graph.initializer.isEmpty else { return "no initializer" }
                let i = random.below(graph.initializer.count)
                var entry = Onnx_StringStringEntryProto()
                entry.key = random.pick(["location", "offset", "length", "checksum"])
                entry.value = random.pick(["../secret", "/etc/passwd", "", ".", "..", "var_u_mlp.onnx.data", "-1", "9223372036854775807", "18446744073709551616", "0", "4"])
                graph.initializer[i].externalData.removeAll { $0.key == entry.key }
                graph.initializer[i].externalData.append(entry)
                graph.initializer[i].dataLocation = .external
                return "initializer \(i) external \(entry.key) = \(entry.value)"
            case .operatorName:
                guard !graph.node.isEmpty else { return "no node" }
                let n = random.below(graph.node.count)
                graph.node[n].opType = random.pick(ONNXImporter.operators + ["Constant", "Erf", "Loop", ""])
                return "node \(n) operator \(graph.node[n].opType)"
            case .outputs:
                guard !graph.node.isEmpty else { return "no node" }
                let n = random.below(graph.node.count)
                graph.node[n].output = random.below(2) == 0 ? [] : [graph.node[n].output.first ?? "", "extra"]
                return "node \(n) outputs \(graph.node[n].output)"
            case .rewire:
                // A node takes another tensor: an earlier node's output, a later one's (out of
                // order), its own, the graph's input or output, or a weight.
                guard !graph.node.isEmpty else { return "no node" }
                let n = random.below(graph.node.count)
                let names = graph.node.flatMap(\.output) + graph.input.map(\.name) + graph.output.map(\.name) + graph.initializer.prefix(3).map(\.name)
                guard !names.isEmpty else { return "no names" }
                let slot = graph.node[n].input.isEmpty ? 0 : random.below(graph.node[n].input.count + 1)
                let name = random.pick(names)
                if slot < graph.node[n].input.count { graph.node[n].input[slot] = name } else { graph.node[n].input.append(name) }
                return "node \(n) input \(slot) = \(name)"
            case .repeatNode:
                guard !graph.node.isEmpty else { return "no node" }
                let n = random.below(graph.node.count)
                let copies = 1 + random.below(400)
                graph.node.insert(contentsOf: Array(repeating: graph.node[n], count: copies), at: n)
                return "node \(n) repeated \(copies)×"
            }
        }
    }

    /// The importer's answer to one mutant: imported (and a forward pass ran), refused, or
    /// a finding (another error type).
    static func check(_ bytes: [UInt8], file: String, imported: inout Int) -> String? {
        let model: ImportedModel
        do {
            model = try ONNXImporter.read(bytes, file: file, sha256: "")
        } catch {
            return error.reason.isEmpty ? "an empty error" : nil
        }
        imported += 1
        do {
            let network = try model.sequential()
            let logits = network(Tensor(shape: [1] + model.inputShape, scalars: [Float](repeating: 0.5, count: model.inputShape.reduce(1, *))))
            return logits.scalars.count == model.outputUnits ? nil : "\(logits.scalars.count) logits for \(model.outputUnits) outputs"
        } catch {
            return nil  // a network the lab refuses to build is a refusal too
        }
    }

    @Test(arguments: seeds)
    func mutatedGraphsImportOrAreRefused(_ seed: String) throws {
        let path = TestSupport.root.appendingPathComponent(seed).path
        let original = try Onnx_ModelProto(serializedBytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
        var imported = 0
        try #require(Self.check(try original.serializedBytes() as [UInt8], file: path, imported: &imported) == nil, "the intact \(seed) must import")
        imported = 0
        var random = FuzzRandom(seed: FuzzTests.baseSeed ^ seed.utf8.reduce(0xCBF2_9CE4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 })
        var findings: [String] = []
        var slowest = (seconds: 0.0, what: "")
        for k in 0..<Self.casesPerSeed {
            var model = original
            var what: [String] = []
            for _ in 0...random.below(3) {
                what.append(random.pick(Mutation.allCases).apply(&model, &random))
            }
            let bytes: [UInt8] = try model.serializedBytes()
            let start = Date()
            if let finding = Self.check(bytes, file: path, imported: &imported) { findings.append("\(seed) case \(k) (\(what.joined(separator: "; "))): \(finding)") }
            let seconds = Date().timeIntervalSince(start)
            if seconds > slowest.seconds { slowest = (seconds, "case \(k) (\(what.joined(separator: "; ")))") }
        }
        #expect(findings.isEmpty, "\(findings.count) findings:\n\(findings.prefix(10).joined(separator: "\n"))")
        // Not a vacuous oracle: some mutants still import, the others are refused.
        #expect(imported > 0 && imported < Self.casesPerSeed, "\(seed): \(imported) of \(Self.casesPerSeed) imported")
        // A hang, not a timing: the slowest mutant of thousands of small models is far below this.
        #expect(slowest.seconds < 20, "\(seed): \(slowest.what) took \(slowest.seconds) s")
    }
}
