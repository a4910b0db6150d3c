import Foundation
import Networks
import SwiftProtobuf
import Tensor

/// Reads an ONNX model (`torch.onnx.export` of a PyTorch network, either exporter, or a
/// Keras model through tf2onnx) into an ``ImportedModel``.
///
/// The graph is a DAG from one input to one output: each node takes tensors earlier nodes
/// compute (and weights from initializers or `Constant` nodes); one output may feed
/// several nodes, `Add`/`Sum` of computed tensors are residual sums and `Concat` joins
/// channels. Operators (ONNX opsets 9–23; PyTorch 2.x exports opset 17–20): Gemm, MatMul
/// + Add, Conv, BatchNormalization (folded into the layer before when only it consumes
/// that layer's output), MaxPool, GlobalAveragePool and GlobalMaxPool (square maps),
/// ReduceMean over the spatial axes (the dynamo exporter's global average pooling),
/// AveragePool, Flatten, Reshape to `[batch, features]`, Transpose between NHWC and NCHW,
/// Add/Sum and Concat of computed tensors, Relu, Clip to [0, ∞) or [0, 6] (ReLU, ReLU6),
/// LeakyRelu (slope 0.01), Tanh, Sigmoid, Softplus, Softsign, Elu (α = 1), HardSigmoid
/// (α = 1/6), HardSwish, Gelu (exact and tanh; and the Div/Erf/Add/Mul/Mul pattern of
/// opsets below 20, ``ONNXGraph/fusingPatterns(_:consumers:)``), a final
/// Softmax or LogSoftmax (dropped: the lab works on logits), Identity and Dropout
/// (skipped). An activation (but GELU and hard swish, which need their input for the
/// gradient) is folded into the layer before it when only it consumes that
/// layer's output, and is a layer of its own otherwise (after a sum, or where the output
/// also feeds a residual connection). The first other operator or attribute is an error
/// naming it and its node.
///
/// Layout: ONNX convolutions see NCHW; the lab's tensors are NHWC. Kernels
/// `[cout, cin, kh, kw]` become `[kh, kw, cin, cout]`, and the Dense layer after a
/// flatten of NCHW maps gets its weight rows reordered from `(c, y, x)` to `(y, x, c)`.
enum ONNXImporter {
    /// The supported operators and how many inputs each takes (ONNX's own arity, optional
    /// inputs included): the one table every node is checked against before its inputs
    /// are read.
    static let inputCounts: [String: ClosedRange<Int>] = [
        "Gemm": 2...3, "MatMul": 2...2, "BatchNormalization": 5...5, "Add": 2...2, "Sum": 2...64, "Concat": 2...64, "Conv": 2...3,
        "MaxPool": 1...1, "AveragePool": 1...1, "GlobalAveragePool": 1...1, "GlobalMaxPool": 1...1, "ReduceMean": 1...2,
        "Flatten": 1...1, "Reshape": 2...2, "Transpose": 1...1,
        "Relu": 1...1, "Clip": 1...3, "LeakyRelu": 1...1, "Tanh": 1...1, "Sigmoid": 1...1, "Softplus": 1...1, "Softsign": 1...1, "Elu": 1...1,
        "HardSigmoid": 1...1, "HardSwish": 1...1, "Gelu": 1...1, "Softmax": 1...1, "LogSoftmax": 1...1, "Identity": 1...1, "Dropout": 1...3,
    ]
    /// The supported operators in the order the docs list them.
    static let operators = ["Gemm", "MatMul", "BatchNormalization", "Add", "Sum", "Concat", "Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "ReduceMean", "Flatten", "Reshape", "Transpose",
                            "Relu", "Clip", "LeakyRelu", "Tanh", "Sigmoid", "Softplus", "Softsign", "Elu", "HardSigmoid", "HardSwish", "Gelu",
                            "Softmax", "LogSoftmax", "Identity", "Dropout"]
    static let opsets = 9...23
    /// The most nodes and initializers a graph may have: far above any chain the lab
    /// imports, low enough that walking a crafted graph stays fast.
    static let maximumNodes = 100_000

    static func read(_ bytes: [UInt8], file: String, sha256: String) throws(ModelImportError) -> ImportedModel {
        let model: Onnx_ModelProto
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = 64
            model = try Onnx_ModelProto(serializedBytes: bytes, options: options)
        } catch {
            throw ModelImportError(file: file, "not an ONNX model (the protobuf does not decode: \(error))")
        }
        guard model.hasGraph, !model.graph.node.isEmpty else { throw ModelImportError(file: file, "not an ONNX model (no graph with nodes)") }
        guard model.graph.node.count <= maximumNodes, model.graph.initializer.count <= maximumNodes else {
            throw ModelImportError(file: file, "a graph of \(model.graph.node.count) nodes and \(model.graph.initializer.count) initializers; at most \(maximumNodes) of each are read")
        }
        if let opset = model.opsetImport.first(where: { $0.domain.isEmpty || $0.domain == "ai.onnx" })?.version,
           !opsets.contains(Int(opset)) {
            throw ModelImportError(file: file, "opset \(opset); opsets \(opsets.lowerBound)–\(opsets.upperBound) are supported (re-export with torch.onnx.export(..., opset_version=18))")
        }
        var graph = ONNXGraph(model.graph, file: file)
        return try graph.walk(sha256: sha256)
    }
}

/// The walk over one graph's nodes, in their (topological) order.
struct ONNXGraph {
    let graph: Onnx_GraphProto
    let file: String
    var constants: [String: Onnx_TensorProto] = [:]

    init(_ graph: Onnx_GraphProto, file: String) {
        self.graph = graph
        self.file = file
        for initializer in graph.initializer { constants[initializer.name] = initializer }
    }

    func tensor(_ name: String, _ place: String) throws(ModelImportError) -> ONNXTensor {
        guard let proto = constants[name] else {
            throw ModelImportError(file: file, "\(place): input '\(name)' is computed by the graph; only weights stored in the file (initializers, Constant) are supported there")
        }
        return try ONNXTensor(proto, file: file, what: "\(place): tensor '\(name)'")
    }

    mutating func walk(sha256: String) throws(ModelImportError) -> ImportedModel {
        let inputs = graph.input.filter { constants[$0.name] == nil }
        guard inputs.count == 1, let input = inputs.first else {
            throw ModelImportError(file: file, "the graph has \(inputs.count) inputs; one (the samples) is supported")
        }
        let dims = input.type.tensorType.shape.dim.map { if case .dimValue(let v)? = $0.value, v > 0, v <= 1 << 24 { Int(v) } else { -1 } }
        guard dims.count == 2 || dims.count == 4, dims.dropFirst().allSatisfy({ $0 > 0 && $0 <= 1 << 24 }) else {
            throw ModelImportError(file: file, "input '\(input.name)' has shape \(dims.map { $0 < 0 ? "?" : String($0) }); [batch, features] or [batch, c, h, w] with fixed sizes is supported (export with a concrete example input)")
        }
        // An image input is NCHW unless the graph transposes it from NHWC first (tf2onnx).
        let firstTransposes = graph.node.first.map { $0.opType == "Transpose" && ONNXAttributes($0).ints("perm") == [0, 3, 1, 2] } ?? false
        let layout: ImageLayoutHint = dims.count == 2 ? .flat : firstTransposes ? .nhwc : .nchw
        let sampleShape: [Int] = switch layout {
        case .flat: [dims[1]]
        case .nchw: [dims[2], dims[3], dims[1]]
        case .nhwc: [dims[1], dims[2], dims[3]]
        }
        var builder = try ImportBuilder(file: file, inputShape: sampleShape, sourceIsNCHW: layout == .nchw)
        guard graph.output.count == 1, let outputName = graph.output.first?.name else {
            throw ModelImportError(file: file, "the graph has \(graph.output.count) outputs; one (the logits or probabilities) is supported")
        }
        // Each computed tensor's value, and how many nodes consume it (a value with more
        // than one consumer keeps its node unchanged: nothing is folded into it).
        var values: [String: ImportBuilder.Value] = [input.name: builder.current]
        var consumers: [String: Int] = [outputName: 1]
        for node in graph.node { for name in node.input where !name.isEmpty { consumers[name, default: 0] += 1 } }
        // Patterns of one module become its operator; their tensors' consumers are counted again.
        let nodes = fusingPatterns(graph.node, consumers: consumers)
        consumers = [outputName: 1]
        for node in nodes { for name in node.input where !name.isEmpty { consumers[name, default: 0] += 1 } }
        for (index, node) in nodes.enumerated() {
            let place = "node \(index) '\(node.name.isEmpty ? node.opType : node.name)' (\(node.opType))"
            if node.opType == "Constant" {
                guard let value = node.attribute.first(where: { $0.name == "value" }), value.hasT, let name = node.output.first else {
                    throw ModelImportError(file: file, "\(place): a Constant without a tensor value")
                }
                constants[name] = value.t
                continue
            }
            // A node on weights alone (the TorchScript exporter's Identity of an initializer) is a constant.
            if node.opType == "Identity", let source = node.input.first, let value = constants[source], let name = node.output.first {
                constants[name] = value
                continue
            }
            guard node.domain.isEmpty || node.domain == "ai.onnx" else {
                throw ModelImportError(file: file, "\(place): operator domain '\(node.domain)' is not supported")
            }
            guard let arity = ONNXImporter.inputCounts[node.opType] else {
                throw ModelImportError(file: file, "\(place): operator \(node.opType) is not supported (supported: \(ONNXImporter.operators.joined(separator: ", ")))")
            }
            // Optional inputs left out are empty names at the end.
            let given = node.input.count - (node.input.reversed().prefix { $0.isEmpty }.count)
            guard arity.contains(given), node.input.count <= arity.upperBound else {
                throw ModelImportError(file: file, "\(place) has \(node.input.count) inputs; \(node.opType) takes \(arity.lowerBound == arity.upperBound ? "\(arity.lowerBound)" : "\(arity.lowerBound) to \(arity.upperBound)")")
            }
            // The computed tensor the node works on: its first input (an Add of a bias
            // may name the bias first).
            guard let main = node.input.first(where: { values[$0] != nil }), let value = values[main] else {
                throw ModelImportError(file: file, "\(place) takes no tensor that an earlier node computes (inputs \(node.input)); the graph must be in order from its one input")
            }
            guard let output = node.output.first, !output.isEmpty else { throw ModelImportError(file: file, "\(place) has no output") }
            guard values[output] == nil, constants[output] == nil else { throw ModelImportError(file: file, "\(place) computes '\(output)' again") }
            builder.current = value
            if consumers[main, default: 0] > 1 { builder.current.canFold = false }
            let others = node.input.filter { $0 != main && !$0.isEmpty }.compactMap { values[$0] }
            try apply(node, main: main, others: others, place: place, isLast: output == outputName, index: index, builder: &builder)
            values[output] = builder.current
        }
        guard let result = values[outputName] else {
            throw ModelImportError(file: file, "no node computes the graph's output '\(outputName)'")
        }
        builder.current = result
        return try builder.finish(format: .onnx, inputShape: sampleShape, inputLayout: layout, sha256: sha256)
    }
}
