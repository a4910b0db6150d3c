import Networks
import Tensor

/// Small seeded models for property tests.
enum Models {
    /// A ReLU MLP 10-8-6-4 with random (non-zero unless `zeroBias`) biases.
    static func mlp(seed: UInt64, zeroBias: Bool = false) throws -> Sequential {
        var rng = SeededRNG(seed: seed)
        var layers: [any Layer] = []
        var previous = 10
        for (index, width) in [8, 6, 4].enumerated() {
            var layer = Dense(name: "dense\(index + 1)", inputSize: previous, outputSize: width,
                              activation: index == 2 ? .linear : .relu, initializer: .heNormal, rng: &rng)
            if !zeroBias { layer.parameters[1] = Tensor(shape: [width], scalars: (0..<width).map { _ in rng.uniform(-0.2, 0.2) }) }
            layers.append(layer)
            previous = width
        }
        return try Sequential(inputShape: [10], layers: layers)
    }

    /// conv(4)-maxpool-conv(6)-avgpool-flatten-dense(5)-dense(3) on 8×8×1 images, ReLU.
    static func cnn(seed: UInt64, zeroBias: Bool = false) throws -> Sequential {
        var rng = SeededRNG(seed: seed)
        func bias(_ n: Int) -> Tensor { Tensor(shape: [n], scalars: (0..<n).map { _ in zeroBias ? 0 : rng.uniform(-0.1, 0.1) }) }
        var c1 = Conv2D(name: "conv1", kernelSize: (3, 3), inputChannels: 1, outputChannels: 4, padding: 1, activation: .relu, rng: &rng)
        c1.parameters[1] = bias(4)
        var c2 = Conv2D(name: "conv2", kernelSize: (3, 3), inputChannels: 4, outputChannels: 6, padding: 1, activation: .relu, rng: &rng)
        c2.parameters[1] = bias(6)
        var d1 = Dense(name: "dense1", inputSize: 24, outputSize: 5, activation: .relu, initializer: .heNormal, rng: &rng)
        d1.parameters[1] = bias(5)
        var d2 = Dense(name: "dense2", inputSize: 5, outputSize: 3, initializer: .glorotUniform, rng: &rng)
        d2.parameters[1] = bias(3)
        return try Sequential(inputShape: [8, 8, 1], layers: [
            c1, MaxPool2D(name: "maxpool1", size: 2), c2, AvgPool2D(name: "avgpool1", size: 2), Flatten(name: "flatten"), d1, d2,
        ])
    }

    /// `count` inputs for `model`, uniform in [low, high).
    static func inputs(_ model: Sequential, count: Int, seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
        var rng = SeededRNG(seed: seed &+ 7)
        let size = model.inputShape.reduce(1, *)
        return Tensor(shape: [count] + model.inputShape, scalars: (0..<(count * size)).map { _ in rng.uniform(low, high) })
    }
}
