import Configuration
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
            // The configured layers and the output layer (dense, linear, one unit per class):
            // one description, built by Networks (each layer's weights drawn from its own stream).
            let description = try ModelDescription.resolve(inputShape: sampleShape,
                                                           entries: (config.layers ?? []) + [ModelDescription.Entry(.dense(units: classes, activation: .linear))])
            let last = description.nodes.count - 1
            return try description.build { index in
                index == last ? .drawn(config.outputInitializer ?? config.initializer, rng.fork("layer-output"))
                              : .drawn(config.initializer, rng.fork("layer-\(index)"))
            }
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(file: file, keyPath: "model", reporting: error)
        }
    }
}
