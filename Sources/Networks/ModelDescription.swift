import Tensor

/// A model as the lab describes it, without weights: one sample's input shape and the
/// named nodes in order, each naming the nodes it consumes. A configuration's `model`,
/// an imported model and a run's architecture are this description;
/// ``build(weights:)`` is the one function that makes the runnable ``Sequential`` of it,
/// and ``Sequential/architecture`` gives it back.
public struct ModelDescription: Sendable, Hashable, Codable {
    public struct Node: Sendable, Hashable, Codable {
        /// Unique in the model (`conv1`, `hidden2`, `output`); run files and reports use it.
        public var name: String
        public var spec: LayerSpec
        /// The nodes whose outputs it consumes, by name (``modelInput`` for the model's
        /// input): one, or two and more for a merge.
        public var inputs: [String]

        public init(name: String, spec: LayerSpec, inputs: [String]) {
            self.name = name
            self.spec = spec
            self.inputs = inputs
        }
    }

    /// A node as a configuration may give it: its name and inputs may be left out (the
    /// name then follows its kind and order, the input is the node before).
    public struct Entry: Sendable, Hashable {
        public var spec: LayerSpec
        public var name: String?
        public var inputs: [String]?

        public init(_ spec: LayerSpec, name: String? = nil, inputs: [String]? = nil) {
            self.spec = spec
            self.name = name
            self.inputs = inputs
        }
    }

    /// The name by which nodes consume the model's input.
    public static let modelInput = "input"

    /// One sample's shape: `[features]` or `[height, width, channels]`.
    public var inputShape: [Int]
    public var nodes: [Node]

    public init(inputShape: [Int], nodes: [Node]) {
        self.inputShape = inputShape
        self.nodes = nodes
    }

    /// A chain of layers named by kind and order (``LayerSpec/namePrefix``: `conv1`,
    /// `maxpool1`, `dense1`, `dense2`, …), the last one `output`: how the lab names a
    /// configured `layers` model and an imported one.
    public static func chain(inputShape: [Int], specs: [LayerSpec]) -> ModelDescription {
        var counts: [String: Int] = [:]
        var nodes: [Node] = []
        for (index, spec) in specs.enumerated() {
            counts[spec.namePrefix, default: 0] += 1
            let name = index == specs.count - 1 ? "output" : "\(spec.namePrefix)\(counts[spec.namePrefix, default: 0])"
            nodes.append(Node(name: name, spec: spec, inputs: [nodes.last?.name ?? modelInput]))
        }
        return ModelDescription(inputShape: inputShape, nodes: nodes)
    }

    /// Nodes as a configuration gives them: a name left out follows the kind and its
    /// number among the unnamed nodes of that kind (as in ``chain(inputShape:specs:)``;
    /// the last node is `output`), inputs left out
    /// are the node before. Names must be unique and not ``modelInput``; inputs must name
    /// earlier nodes.
    public static func resolve(inputShape: [Int], entries: [Entry]) throws(NetworkError) -> ModelDescription {
        var counts: [String: Int] = [:]
        var nodes: [Node] = []
        var names: Set<String> = [modelInput]
        for (index, entry) in entries.enumerated() {
            let name: String
            if let given = entry.name {
                name = given
            } else if index == entries.count - 1 {
                name = "output"
            } else {
                // Numbered among the nodes of its kind left unnamed.
                counts[entry.spec.namePrefix, default: 0] += 1
                name = "\(entry.spec.namePrefix)\(counts[entry.spec.namePrefix, default: 0])"
            }
            guard names.insert(name).inserted else {
                throw NetworkError(layer: name, name == modelInput ? "\"\(modelInput)\" names the model's input; choose another name" : "the name is used twice")
            }
            let inputs = entry.inputs ?? [nodes.last?.name ?? modelInput]
            if let unknown = inputs.first(where: { !names.contains($0) || $0 == name }) {
                throw NetworkError(layer: name, "takes \"\(unknown)\", which is not an earlier node (inputs name earlier nodes or \"\(modelInput)\")")
            }
            nodes.append(Node(name: name, spec: entry.spec, inputs: inputs))
        }
        return ModelDescription(inputShape: inputShape, nodes: nodes)
    }

    /// Whether each node consumes the node before it (the first, the model's input).
    public var isChain: Bool {
        nodes.indices.allSatisfy { nodes[$0].inputs == [$0 == 0 ? Self.modelInput : nodes[$0 - 1].name] }
    }

    /// The runnable model. Each node's parameters are counted against ``ModelBudget``
    /// before they are drawn or taken, and every node's output shape is checked (it must
    /// fit the nodes that consume it, and hold at most
    /// ``ModelBudget/maximumValuesPerSample`` values).
    ///
    /// - Parameter weights: each node's parameters, by its index.
    public func build(weights: (Int) -> LayerSpec.Weights) throws(NetworkError) -> Sequential {
        var budget = ModelBudget()
        try ModelBudget.values(inputShape, layer: Self.modelInput)
        var index: [String: Int] = [Self.modelInput: -1]
        var shapes: [[Int]] = []
        var layers: [any Layer] = []
        var sources: [[Int]] = []
        layers.reserveCapacity(nodes.count)
        for (position, node) in nodes.enumerated() {
            var inputs: [Int] = []
            for name in node.inputs {
                guard let source = index[name] else {
                    throw NetworkError(layer: node.name, "takes \"\(name)\", which is not an earlier node")
                }
                inputs.append(source)
            }
            guard index[node.name] == nil else { throw NetworkError(layer: node.name, "the name is used twice") }
            let inputShapes = inputs.map { $0 < 0 ? inputShape : shapes[$0] }
            let parameterShapes = try node.spec.parameterShapes(for: inputShapes.first ?? inputShape, layer: node.name)
            if let weightShape = parameterShapes.first {
                try budget.add(layer: node.name, weightShape: weightShape, biases: parameterShapes.count > 1 ? parameterShapes[1].reduce(1, *) : 0)
            }
            let layer = try node.spec.build(name: node.name, inputShapes: inputShapes, weights: weights(position))
            let shape = try layer.outputShape(forInputs: inputShapes)
            try ModelBudget.values(shape, layer: node.name)
            index[node.name] = position
            shapes.append(shape)
            layers.append(layer)
            sources.append(inputs)
        }
        return try Sequential(inputShape: inputShape, layers: layers, inputs: sources)
    }
}

extension Sequential {
    /// The model's description: its input shape and each layer's name, ``LayerSpec`` and
    /// inputs.
    public var architecture: ModelDescription {
        let names = layers.map(\.name)
        return ModelDescription(inputShape: inputShape, nodes: layers.indices.map { index in
            ModelDescription.Node(name: names[index], spec: layers[index].spec,
                                  inputs: inputs[index].map { $0 < 0 ? ModelDescription.modelInput : names[$0] })
        })
    }
}
