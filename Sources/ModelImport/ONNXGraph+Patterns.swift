/// Patterns exporters write for one module, recognised as that module's operator before
/// the walk.
extension ONNXGraph {
    /// `nodes` with GELU's erf form, as PyTorch's TorchScript exporter writes `nn.GELU()`
    /// below opset 20 — `Mul(Mul(x, Add(Erf(Div(x, √2)), 1)), 0.5)`, operands of Add and Mul
    /// in either order — replaced by one `Gelu` node (Hendrycks & Gimpel 2016:
    /// ½ x (1 + erf(x/√2)), ONNX's `Gelu` with `approximate = "none"`). The intermediate
    /// tensors must have no other consumer and the constants must be those numbers
    /// (within 1e-6); anything else is left as it is, and the walk names its first
    /// unsupported operator (`Erf`).
    ///
    /// Also `nn.Softplus()` as the dynamo exporter writes it, with PyTorch's threshold
    /// branch: `Where(Greater(x, t), x, Softplus(x))` becomes `Softplus(x)` when t ≥ 15,
    /// where log(1 + eˣ) and x agree to float32's precision (e^−15 ≈ 3e-7 of x).
    func fusingPatterns(_ nodes: [Onnx_NodeProto], consumers: [String: Int]) -> [Onnx_NodeProto] {
        guard nodes.contains(where: { $0.opType == "Erf" || $0.opType == "Where" }) else { return nodes }
        var scalars: [String: Float] = [:]
        for (name, proto) in constants { if let t = try? ONNXTensor(proto, file: file, what: name), t.count == 1 { scalars[name] = t.floats[0] } }
        for node in nodes where node.opType == "Constant" {
            if let value = node.attribute.first(where: { $0.name == "value" }), value.hasT, let name = node.output.first,
               let t = try? ONNXTensor(value.t, file: file, what: name), t.count == 1 {
                scalars[name] = t.floats[0]
            }
        }
        var producer: [String: Int] = [:]
        for (index, node) in nodes.enumerated() { for output in node.output { producer[output] = index } }
        func only(_ name: String) -> Bool { consumers[name, default: 0] == 1 }
        func near(_ name: String, _ value: Float) -> Bool { scalars[name].map { abs($0 - value) <= 1e-6 * max(1, abs(value)) } ?? false }
        /// The operand of a two-input node that is not the constant `value` (nil when neither is).
        func other(_ node: Onnx_NodeProto, besides value: Float) -> String? {
            guard node.input.count == 2 else { return nil }
            if near(node.input[1], value) { return node.input[0] }
            if near(node.input[0], value) { return node.input[1] }
            return nil
        }
        var removed = Set<Int>(), replaced: [Int: Onnx_NodeProto] = [:]
        for (last, half) in nodes.enumerated() where half.opType == "Mul" {
            guard let product = other(half, besides: 0.5), only(product), let m = producer[product], nodes[m].opType == "Mul",
                  nodes[m].input.count == 2 else { continue }
            // Mul(x, Add(...)): find which operand is the Add.
            for (x, sum) in [(nodes[m].input[0], nodes[m].input[1]), (nodes[m].input[1], nodes[m].input[0])] {
                guard only(sum), let a = producer[sum], nodes[a].opType == "Add", let erfOut = other(nodes[a], besides: 1), only(erfOut),
                      let e = producer[erfOut], nodes[e].opType == "Erf", let scaled = nodes[e].input.first, only(scaled),
                      let d = producer[scaled], nodes[d].opType == "Div", nodes[d].input.count == 2, nodes[d].input[0] == x,
                      near(nodes[d].input[1], 1.4142135) else { continue }
                replaced[last] = Self.node("Gelu", input: x, replacing: half, as: "GELU's erf form")
                removed.formUnion([d, e, a, m])
                break
            }
        }
        for (last, choice) in nodes.enumerated() where choice.opType == "Where" && choice.input.count == 3 {
            let (condition, x, smooth) = (choice.input[0], choice.input[1], choice.input[2])
            guard only(condition), only(smooth), let c = producer[condition], nodes[c].opType == "Greater", nodes[c].input.count == 2,
                  nodes[c].input[0] == x, let threshold = scalars[nodes[c].input[1]], threshold >= 15,
                  let p = producer[smooth], nodes[p].opType == "Softplus", nodes[p].input.first == x else { continue }
            replaced[last] = Self.node("Softplus", input: x, replacing: choice, as: "Softplus with PyTorch's threshold \(threshold)")
            removed.formUnion([c, p])
        }
        guard !replaced.isEmpty else { return nodes }
        return nodes.indices.compactMap { removed.contains($0) ? nil : replaced[$0] ?? nodes[$0] }
    }

    /// One `operation` node on `input` in place of a pattern whose last node is `last`: its
    /// outputs, and its name with what the pattern was recognised as (errors name it).
    private static func node(_ operation: String, input: String, replacing last: Onnx_NodeProto, as what: String) -> Onnx_NodeProto {
        var node = Onnx_NodeProto()
        node.opType = operation
        node.name = "\(last.name.isEmpty ? last.opType : last.name) (\(what))"
        node.input = [input]
        node.output = last.output
        return node
    }
}
