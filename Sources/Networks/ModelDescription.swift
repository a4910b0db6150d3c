import Tensor

/// A model as the lab describes it, without weights: one sample's input shape and the
/// named layers in order. A configuration's `model`, an imported model and a run's
/// architecture are this description; ``build(weights:)`` is the one function that makes
/// the runnable ``Sequential`` of it, and ``Sequential/architecture`` gives it back.
public struct ModelDescription: Sendable, Hashable, Codable {
    public struct Node: Sendable, Hashable, Codable {
        /// Unique in the model (`conv1`, `hidden2`, `output`); run files and reports use it.
        public var name: String
        public var spec: LayerSpec

        public init(name: String, spec: LayerSpec) {
            self.name = name
            self.spec = spec
        }
    }

    /// One sample's shape: `[features]` or `[height, width, channels]`.
    public var inputShape: [Int]
    public var nodes: [Node]

    public init(inputShape: [Int], nodes: [Node]) {
        self.inputShape = inputShape
        self.nodes = nodes
    }

    /// Layers named by kind and order (``LayerSpec/namePrefix``: `conv1`, `maxpool1`,
    /// `dense1`, `dense2`, …), the last one `output`: how the lab names a configured
    /// `layers` model and an imported one.
    public static func chain(inputShape: [Int], specs: [LayerSpec]) -> ModelDescription {
        var counts: [String: Int] = [:]
        let nodes = specs.enumerated().map { index, spec in
            if index == specs.count - 1 { return Node(name: "output", spec: spec) }
            counts[spec.namePrefix, default: 0] += 1
            return Node(name: "\(spec.namePrefix)\(counts[spec.namePrefix, default: 0])", spec: spec)
        }
        return ModelDescription(inputShape: inputShape, nodes: nodes)
    }

    /// The runnable model. Each node's parameters are counted against ``ModelBudget``
    /// before they are drawn or taken, and every node's output shape is checked (it must
    /// fit the next node, and hold at most ``ModelBudget/maximumValuesPerSample`` values).
    ///
    /// - Parameter weights: each node's parameters, by its index.
    public func build(weights: (Int) -> LayerSpec.Weights) throws(NetworkError) -> Sequential {
        var budget = ModelBudget()
        var shape = inputShape
        try ModelBudget.values(shape, layer: "input")
        var layers: [any Layer] = []
        layers.reserveCapacity(nodes.count)
        for (index, node) in nodes.enumerated() {
            let shapes = try node.spec.parameterShapes(for: shape, layer: node.name)
            if let weightShape = shapes.first {
                try budget.add(layer: node.name, weightShape: weightShape, biases: shapes.count > 1 ? shapes[1].reduce(1, *) : 0)
            }
            let layer = try node.spec.build(name: node.name, inputShape: shape, weights: weights(index))
            shape = try layer.outputShape(for: shape)
            try ModelBudget.values(shape, layer: node.name)
            layers.append(layer)
        }
        return try Sequential(inputShape: inputShape, layers: layers)
    }
}

extension Sequential {
    /// The model's description: its input shape and each layer's name and ``LayerSpec``.
    public var architecture: ModelDescription {
        ModelDescription(inputShape: inputShape, nodes: layers.map { ModelDescription.Node(name: $0.name, spec: $0.spec) })
    }
}
