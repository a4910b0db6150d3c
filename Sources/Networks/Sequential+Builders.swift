import Tensor

extension Sequential {
    /// A fully connected network: `inputSize → widths... → classes`, every hidden layer
    /// with `activation`, the last layer linear (its softmax is in the loss). Layers are
    /// named `hidden1`, `hidden2`, …, `output`; each layer's weights are drawn from its
    /// own stream `rng.fork("layer-<index>")`, so widening one layer leaves the others'
    /// initial weights unchanged.
    ///
    /// The 2017 network is `mlp(inputSize: 12, widths: [10, 7, 5, 4, 3], classes: 2,
    /// activation: .tanh, initializer: .truncatedNormalFanIn, ...)`.
    /// - Parameter outputInitializer: the output layer's (ibsgd builds its softmax layer
    ///   with `glorot_uniform` whatever the hidden layers use); nil: `initializer`.
    public static func mlp(inputSize: Int, widths: [Int], classes: Int, activation: Activation,
                           initializer: Initializer, outputInitializer: Initializer? = nil, rng: SeededRNG) throws(NetworkError) -> Sequential {
        var nodes: [ModelDescription.Node] = []
        for (index, width) in (widths + [classes]).enumerated() {
            let isOutput = index == widths.count
            let name = isOutput ? "output" : "hidden\(index + 1)"
            guard width > 0 else { throw NetworkError(layer: name, "width must be positive, got \(width)") }
            nodes.append(.init(name: name, spec: .dense(units: width, activation: isOutput ? .linear : activation), inputs: [nodes.last?.name ?? ModelDescription.modelInput]))
        }
        // Built by the one description; each layer's weights from its own stream.
        return try ModelDescription(inputShape: [inputSize], nodes: nodes).build { index in
            .drawn(index == widths.count ? outputInitializer ?? initializer : initializer, rng.fork("layer-\(index)"))
        }
    }
}
