import Networks
import Tensor

/// Builds the configured model for a data set's sample shape and class count.
package enum ModelFactory {
    /// - Throws: a ``ConfigError`` at `model` when the layers do not fit the data (for
    ///   example a Dense layer after a Conv2D without Flatten, or a kernel larger than
    ///   its input).
    package static func build(_ config: ModelConfig, sampleShape: [Int], classes: Int, seed: UInt64, file: String) throws(ConfigError) -> Sequential {
        try layers(config, sampleShape: sampleShape, classes: classes, seed: seed, file: file).with(arithmetic: config.arithmetic)
    }

    private static func layers(_ config: ModelConfig, sampleShape: [Int], classes: Int, seed: UInt64, file: String) throws(ConfigError) -> Sequential {
        let rng = SeededRNG(seed: seed).fork("model")
        if let expected = config.inputShape, expected != sampleShape {
            throw ConfigError(file: file, keyPath: "model.input_shape",
                              "the model takes samples of shape \(expected), the data's have \(sampleShape)")
        }
        do {
            if let widths = config.widths {
                guard sampleShape.count == 1 else {
                    throw NetworkError(layer: "hidden1", "an MLP (`widths`) needs flat samples, but the data's samples have shape \(sampleShape); use `layers` with flatten")
                }
                return try Sequential.mlp(inputSize: sampleShape[0], widths: widths, classes: classes,
                                          activation: config.activation, initializer: config.initializer,
                                          outputInitializer: config.outputInitializer, rng: rng)
            }
            var layers: [any Layer] = []
            var shape = sampleShape
            var budget = ModelBudget()
            try ModelBudget.values(shape, layer: "input")
            var counts: [String: Int] = [:]
            func name(_ kind: String) -> String {
                counts[kind, default: 0] += 1
                return "\(kind)\(counts[kind, default: 0])"
            }
            for (index, spec) in (config.layers ?? []).enumerated() {
                var stream = rng.fork("layer-\(index)")
                let layer: any Layer
                switch spec {
                case .dense(let units, let activation):
                    guard shape.count == 1 else {
                        throw NetworkError(layer: "layers[\(index)] dense", "expects flat inputs but gets \(shape); put flatten before it")
                    }
                    try budget.add(layer: "layers[\(index)] dense", weightShape: [shape[0], units], biases: units)
                    layer = Dense(name: name("dense"), inputSize: shape[0], outputSize: units, activation: activation,
                                  initializer: config.initializer, rng: &stream)
                case .conv2d(let filters, let kernel, let stride, let padding, let activation):
                    guard shape.count == 3 else {
                        throw NetworkError(layer: "layers[\(index)] conv2d", "expects [height, width, channels] inputs but gets \(shape)")
                    }
                    try budget.add(layer: "layers[\(index)] conv2d", weightShape: [kernel[0], kernel[1], shape[2], filters], biases: filters)
                    layer = Conv2D(name: name("conv"), kernelSize: (kernel[0], kernel[1]), inputChannels: shape[2], outputChannels: filters,
                                   stride: stride, padding: padding, activation: activation, initializer: config.initializer, rng: &stream)
                case .maxpool2d(let size, let stride):
                    layer = MaxPool2D(name: name("maxpool"), size: size, stride: stride)
                case .avgpool2d(let size, let stride):
                    layer = AvgPool2D(name: name("avgpool"), size: size, stride: stride)
                case .flatten:
                    layer = Flatten(name: name("flatten"))
                case .activation(let activation):
                    layer = ActivationLayer(name: name("activation"), activation)
                }
                shape = try layer.outputShape(for: shape)
                try ModelBudget.values(shape, layer: "layers[\(index)]")
                layers.append(layer)
            }
            guard shape.count == 1 else {
                throw NetworkError(layer: "output", "the last layer's output has shape \(shape); end `layers` with flatten or dense")
            }
            var stream = rng.fork("layer-output")
            try budget.add(layer: "output", weightShape: [shape[0], classes], biases: classes)
            layers.append(Dense(name: "output", inputSize: shape[0], outputSize: classes, activation: .linear,
                                initializer: config.outputInitializer ?? config.initializer, rng: &stream))
            return try Sequential(inputShape: sampleShape, layers: layers)
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(file: file, keyPath: "model", "\(error)")
        }
    }
}
