/// A functional Keras model's graph, from its configuration: each layer's inputs, how
/// many layers consume each output, and the output layer.
struct KerasGraph {
    /// Each layer's inputs by name, in order (nil: the layer is called more than once).
    private var inputsByLayer: [String: [String]?] = [:]
    /// How many layers consume each layer's output (the model's output counts once).
    private(set) var consumers: [String: Int] = [:]
    /// The output layer's name.
    let output: String
    let file: String

    init(_ layers: [[String: Any]], config: [String: Any], file: String) throws {
        // `output_layers`: [name, 0, 0] (Keras 3, one output) or [[name, 0, 0], …].
        let outputs = config["output_layers"] as? [Any] ?? []
        let names = outputs.first is String ? [outputs] : outputs
        guard names.count == 1, let output = (names.first as? [Any])?.first as? String else {
            throw ModelImportError(file: file, "a functional model with \(names.count) outputs; one (the logits or probabilities) is supported")
        }
        self.output = output
        self.file = file
        consumers[output] = 1
        for (index, layer) in layers.enumerated() {
            let name = (layer["config"] as? [String: Any])?["name"] as? String ?? (layer["name"] as? String ?? "layer \(index)")
            let inputs = Self.inbound(layer)
            inputsByLayer[name] = inputs
            for source in inputs ?? [] { consumers[source, default: 0] += 1 }
        }
    }

    /// The layers `name` takes, in order.
    func inputs(of name: String, place: String) throws(ModelImportError) -> [String] {
        guard let entry = inputsByLayer[name], let inputs = entry else {
            throw ModelImportError(file: file, "\(place): a layer called more than once (a shared layer) is not supported")
        }
        return inputs
    }

    /// Keras 3's `keras_history` of the tensors among a layer's `inbound_nodes` arguments
    /// (nested in a list for merges), or Keras 2's `[[name, 0, 0, {}], …]`; nil when the
    /// layer has more than one inbound node.
    static func inbound(_ layer: [String: Any]) -> [String]? {
        let nodes = layer["inbound_nodes"] as? [Any] ?? []
        guard nodes.count <= 1 else { return nil }
        var names: [String] = []
        func walk(_ value: Any, depth: Int) {
            guard depth < 16, names.count < 1024 else { return }
            if let object = value as? [String: Any] {
                if let history = (object["config"] as? [String: Any])?["keras_history"] as? [Any], let source = history.first as? String {
                    names.append(source)
                } else if let arguments = object["args"] {
                    walk(arguments, depth: depth + 1)
                }
            } else if let list = value as? [Any] {
                if list.count >= 3, let source = list.first as? String, list[1] is Int {
                    names.append(source)  // Keras 2: [name, node index, tensor index, kwargs]
                } else {
                    for item in list { walk(item, depth: depth + 1) }
                }
            }
        }
        for node in nodes { walk(node, depth: 0) }
        return names
    }
}
