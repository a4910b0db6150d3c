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
        var layers: [any Layer] = []
        var previous = inputSize
        var budget = ModelBudget()
        for (index, width) in (widths + [classes]).enumerated() {
            let isOutput = index == widths.count
            guard width > 0 else {
                throw NetworkError(layer: isOutput ? "output" : "hidden\(index + 1)", "width must be positive, got \(width)")
            }
            // Counted before the weights are allocated.
            try budget.add(layer: isOutput ? "output" : "hidden\(index + 1)", weightShape: [previous, width], biases: width)
            var stream = rng.fork("layer-\(index)")
            layers.append(Dense(name: isOutput ? "output" : "hidden\(index + 1)", inputSize: previous, outputSize: width,
                                activation: isOutput ? .linear : activation,
                                initializer: isOutput ? outputInitializer ?? initializer : initializer, rng: &stream))
            previous = width
        }
        return try Sequential(inputShape: [inputSize], layers: layers)
    }
}
