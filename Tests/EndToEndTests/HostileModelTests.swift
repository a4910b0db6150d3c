import Foundation
import HDF5
@testable import ModelImport
import SwiftProtobuf
import Testing
import TestSupport

/// Crafted ONNX and Keras models that used to end the process by a signal, import
/// non-finite weights, read outside the model's folder or take quadratic time: each is
/// now an error naming the node (run in process: a crash here fails the whole suite).
@Suite("Hostile models: checked before anything is built")
struct HostileModelTests {
    // MARK: ONNX models built in place

    static func tensor(_ name: String, dims: [Int], floats: [Float]) -> Onnx_TensorProto {
        var t = doubles(name, dims: dims, [])
        t.dataType = 1
        t.floatData = floats
        return t
    }

    static func doubles(_ name: String, dims: [Int], _ values: [Double]) -> Onnx_TensorProto {
        var t = Onnx_TensorProto()
        t.name = name
        t.dims = dims.map(Int64.init)
        t.dataType = 11
        t.doubleData = values
        return t
    }

    static func node(_ op: String, _ inputs: [String], _ output: String, floats: [String: Float] = [:], ints: [String: [Int]] = [:]) -> Onnx_NodeProto {
        var n = Onnx_NodeProto()
        n.opType = op
        n.name = op.lowercased()
        n.input = inputs
        n.output = [output]
        for (name, value) in floats {
            var a = Onnx_AttributeProto()
            a.name = name
            a.type = .float
            a.f = value
            n.attribute.append(a)
        }
        for (name, values) in ints {
            var a = Onnx_AttributeProto()
            a.name = name
            a.type = .ints
            a.ints = values.map(Int64.init)
            n.attribute.append(a)
        }
        return n
    }

    /// A model with input `x` of `dims`, output `y`, and the given nodes and weights.
    static func model(input dims: [Int64], nodes: [Onnx_NodeProto], weights: [Onnx_TensorProto]) throws -> [UInt8] {
        var graph = Onnx_GraphProto()
        var input = Onnx_ValueInfoProto()
        input.name = "x"
        var type = Onnx_TypeProto()
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = 1
        var shape = Onnx_TensorShapeProto()
        shape.dim = dims.map { var d = Onnx_TensorShapeProto.Dimension(); d.dimValue = $0; return d }
        tensorType.shape = shape
        type.tensorType = tensorType
        input.type = type
        graph.input = [input]
        var output = Onnx_ValueInfoProto()
        output.name = "y"
        graph.output = [output]
        graph.node = nodes
        graph.initializer = weights
        var model = Onnx_ModelProto()
        model.irVersion = 8
        var opset = Onnx_OperatorSetIdProto()
        opset.version = 17
        model.opsetImport = [opset]
        model.graph = graph
        return try model.serializedBytes()
    }

    static func refusal(_ bytes: [UInt8]) -> String? {
        do {
            _ = try ONNXImporter.read(bytes, file: "m.onnx", sha256: "")
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func aDenseModelStillImports() throws {
        let bytes = try Self.model(input: [1, 2], nodes: [Self.node("Gemm", ["x", "w", "b"], "y")],
                                   weights: [Self.tensor("w", dims: [2, 3], floats: [1, 2, 3, 4, 5, 6]), Self.tensor("b", dims: [3], floats: [0, 0, 1])])
        let model = try ONNXImporter.read(bytes, file: "m.onnx", sha256: "")
        #expect(model.outputUnits == 3)
    }

    @Test func aConvBiasOfTheWrongLength() throws {
        let bytes = try Self.model(input: [1, 1, 4, 4], nodes: [
            Self.node("Conv", ["x", "k", "b"], "c"), Self.node("Flatten", ["c"], "f"), Self.node("Gemm", ["f", "w"], "y"),
        ], weights: [Self.tensor("k", dims: [2, 1, 3, 3], floats: Array(repeating: 0.1, count: 18)), Self.tensor("b", dims: [5], floats: [0, 0, 0, 0, 0]),
                     Self.tensor("w", dims: [8, 2], floats: Array(repeating: 0.1, count: 16))])
        let reason = try #require(Self.refusal(bytes))
        #expect(reason.contains("5 biases for 2 filters"), "\(reason)")
    }

    @Test func zeroFiltersBeforeBatchNormalisation() throws {
        let bytes = try Self.model(input: [1, 1, 4, 4], nodes: [
            Self.node("Conv", ["x", "k"], "c"), Self.node("BatchNormalization", ["c", "s", "t", "m", "v"], "n"), Self.node("Flatten", ["n"], "y"),
        ], weights: [Self.tensor("k", dims: [0, 1, 3, 3], floats: []), Self.tensor("s", dims: [0], floats: []), Self.tensor("t", dims: [0], floats: []),
                     Self.tensor("m", dims: [0], floats: []), Self.tensor("v", dims: [0], floats: [])])
        let reason = try #require(Self.refusal(bytes))
        #expect(reason.contains("every size at least 1"), "\(reason)")
    }

    @Test func inputDimensionsWhoseProductOverflows() throws {
        let bytes = try Self.model(input: [1, 1 << 24, 1 << 24, 1 << 24], nodes: [Self.node("Flatten", ["x"], "y")], weights: [])
        let reason = try #require(Self.refusal(bytes))
        #expect(reason.contains("is not a size the lab handles"), "\(reason)")
        // Large but representable: still refused before any layer is built (was 8 GiB of row order).
        let big = try Self.model(input: [1, 2, 1 << 14, 1 << 14], nodes: [Self.node("Flatten", ["x"], "y")], weights: [])
        #expect(Self.refusal(big)?.contains("at most 16777216 values per sample") == true)
    }

    @Test func reshapeSizesThatAreNotIntegers() throws {
        let bytes = try Self.model(input: [1, 1, 2, 2], nodes: [Self.node("Reshape", ["x", "s"], "r"), Self.node("Gemm", ["r", "w"], "y")],
                                   weights: [Self.doubles("s", dims: [2], [1, 1e300]), Self.tensor("w", dims: [4, 2], floats: Array(repeating: 1, count: 8))])
        let reason = try #require(Self.refusal(bytes))
        #expect(reason.contains("beyond the range of 32-bit floats") || reason.contains("Reshape to a size"), "\(reason)")
        let fractional = try Self.model(input: [1, 1, 2, 2], nodes: [Self.node("Reshape", ["x", "s"], "r"), Self.node("Gemm", ["r", "w"], "y")],
                                        weights: [Self.doubles("s", dims: [2], [1, 2.5]), Self.tensor("w", dims: [4, 2], floats: Array(repeating: 1, count: 8))])
        #expect(Self.refusal(fractional)?.contains("Reshape to a size of 2.5") == true)
    }

    @Test func operatorsWithTooFewOrTooManyInputs() throws {
        let one = try Self.model(input: [1, 1, 4, 4], nodes: [Self.node("Conv", ["x"], "y")], weights: [])
        #expect(Self.refusal(one)?.contains("has 1 inputs; Conv takes 2 to 3") == true, "\(Self.refusal(one) ?? "")")
        let many = try Self.model(input: [1, 2], nodes: [Self.node("Relu", ["x", "x"], "y")], weights: [])
        #expect(Self.refusal(many)?.contains("Relu takes 1") == true)
        let unknown = try Self.model(input: [1, 2], nodes: [Self.node("Erf", ["x"], "y")], weights: [])
        #expect(Self.refusal(unknown)?.contains("operator Erf is not supported") == true)
    }

    @Test(arguments: [("alpha", Float.nan), ("beta", Float.infinity)])
    func nonFiniteGemmScales(_ attribute: String, _ value: Float) throws {
        let bytes = try Self.model(input: [1, 2], nodes: [Self.node("Gemm", ["x", "w", "b"], "y", floats: [attribute: value])],
                                   weights: [Self.tensor("w", dims: [2, 2], floats: [1, 2, 3, 4]), Self.tensor("b", dims: [2], floats: [0, 1])])
        let reason = try #require(Self.refusal(bytes))
        #expect(reason.contains("attribute '\(attribute)'") && reason.contains("a finite value is needed"), "\(reason)")
    }

    @Test func weightsBeyondFloatRangeOrOverflowingWhenScaled() throws {
        let huge = try Self.model(input: [1, 2], nodes: [Self.node("Gemm", ["x", "w"], "y")], weights: [Self.doubles("w", dims: [2, 2], [1, 1e300, 0, 0])])
        #expect(Self.refusal(huge)?.contains("beyond the range of 32-bit floats") == true)
        // Each finite, their product infinite.
        let scaled = try Self.model(input: [1, 2], nodes: [Self.node("Gemm", ["x", "w"], "y", floats: ["alpha": 1e30])],
                                    weights: [Self.tensor("w", dims: [2, 2], floats: [1, 1e30, 0, 0])])
        #expect(Self.refusal(scaled)?.contains("non-finite value") == true, "\(Self.refusal(scaled) ?? "")")
    }

    // MARK: Keras

    /// A Keras HDF5 file of `layers` (JSON objects) with one Dense layer's weights.
    static func keras(_ folder: URL, layers: [String], weights: (H5File) throws -> Void) throws -> String {
        let path = folder.appendingPathComponent("model-\(UUID().uuidString).h5").path
        let file = try H5File.create(path)
        try file.setAttribute("model_config", "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": [\(layers.joined(separator: ","))]}}")
        try weights(file)
        return path
    }

    static let input = "{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 2], \"name\": \"in\"}}"
    static let dense = "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 2, \"activation\": \"linear\"}}"

    static func denseWeights(_ file: H5File) throws {
        let group = try file.createGroup("model_weights").createGroup("d")
        try group.writeDataset("kernel", [Float](repeating: 0.5, count: 4), shape: [2, 2])
        try group.writeDataset("bias", [Float](repeating: 0, count: 2), shape: [2])
    }

    @Test func manyDropoutLayersImportAndTooManyAreRefused() throws {
        let folder = TestSupport.temporaryDirectory("keras-dropouts")
        defer { try? FileManager.default.removeItem(at: folder) }
        let dropout = "{\"class_name\": \"Dropout\", \"config\": {\"name\": \"x\", \"rate\": 0.5}}"
        let many = try Self.keras(folder, layers: [Self.input] + Array(repeating: dropout, count: 9_000) + [Self.dense], weights: Self.denseWeights)
        let model = try ModelImporter.load(many)
        #expect(model.notes.count == 9_000 && model.outputUnits == 2)
        let tooMany = try Self.keras(folder, layers: [Self.input] + Array(repeating: dropout, count: 10_001) + [Self.dense], weights: Self.denseWeights)
        #expect(throws: ModelImportError.self) { try ModelImporter.load(tooMany) }
    }

    /// External links and datasets with external storage lead outside the model file:
    /// refused, and the file they point to is never read.
    @Test func kerasWeightsBehindAnExternalLinkAreNotRead() throws {
        let folder = TestSupport.temporaryDirectory("keras-external")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try Self.keras(folder, layers: [Self.input, Self.dense]) { _ in }
        let secret = folder.appendingPathComponent("secret.h5").path
        let script = """
        import h5py, numpy as np, sys
        with h5py.File(sys.argv[2], "w") as f:
            f["kernel"] = np.full((2, 2), 7.0, dtype="f4")
        with h5py.File(sys.argv[1], "a") as f:
            g = f.create_group("model_weights/d")
            g["kernel"] = h5py.ExternalLink("secret.h5", "/kernel")
            g["bias"] = h5py.SoftLink("/model_weights/d/kernel")
        """
        let made = try TestSupport.runPython(script, [path, secret])
        try #require(made.status == 0, "h5py is needed (scripts/bootstrap): \(made.stderr)")
        #expect(throws: ModelImportError.self) { try ModelImporter.load(path) }
        let file = try H5File.open(path)
        #expect(!file.contains("model_weights/d/kernel") && file.linkLeavesFile("model_weights/d/kernel"))
        #expect(throws: HDF5Error.self) { try file.dataset("model_weights/d/kernel") }

        let storage = try TestSupport.runPython("""
        import h5py, sys
        with h5py.File(sys.argv[1], "w") as f:
            f.create_dataset("outside", shape=(4,), dtype="f4", external=[(sys.argv[2], 0, 16)])
        """, [folder.appendingPathComponent("external.h5").path, secret])
        try #require(storage.status == 0, "\(storage.stderr)")
        let external = try H5File.open(folder.appendingPathComponent("external.h5").path)
        #expect(throws: HDF5Error.self) { try external.dataset("outside") }
    }
}
