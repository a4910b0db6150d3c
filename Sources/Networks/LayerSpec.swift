import Tensor

/// One layer as the lab describes it: its kind and hyperparameters, without weights.
///
/// This is the one description of a layer. A configuration's `model.layers` is parsed
/// into it, an importer produces it (with the weights beside it, ``ModelDescription``),
/// every built layer reports it (``Layer/spec``), and ``build(name:inputShape:weights:)``
/// is the one function that makes a runnable layer of it. Every decision per kind is a
/// `switch` over this enum (or over ``LayerKind``), so a new kind is found by the
/// compiler everywhere it needs a decision (`docs/architecture.md`).
///
/// Its `Codable` form is the configuration's: `{dense: {units: 64, activation: relu}}`,
/// `{conv2d: {filters, kernel: [h, w], stride, padding, activation}}`,
/// `{maxpool2d: {size, stride}}`, `{avgpool2d: …}`, `{activation: relu}` and `flatten`.
public enum LayerSpec: Sendable, Hashable {
    /// A fully connected layer: `units` outputs, then `activation`.
    case dense(units: Int, activation: Activation)
    /// A 2-D convolution over NHWC maps; `kernel` is `[height, width]`, zero `padding` on
    /// all four sides.
    case conv2d(filters: Int, kernel: [Int], stride: Int, padding: Int, activation: Activation)
    case maxpool2d(size: Int, stride: Int)
    case avgpool2d(size: Int, stride: Int)
    /// `[h, w, c] → [h·w·c]` in NHWC order.
    case flatten
    /// An activation on its own, where it does not follow a dense or conv2d layer.
    case activation(Activation)
    /// The element-wise sum of two or more inputs of one shape (a residual connection).
    case add
    /// Two or more inputs joined along their last axis (channels, or features).
    case concat

    public var kind: LayerKind {
        switch self {
        case .dense: .dense
        case .conv2d: .conv2d
        case .maxpool2d: .maxpool2d
        case .avgpool2d: .avgpool2d
        case .flatten: .flatten
        case .activation: .activation
        case .add: .add
        case .concat: .concat
        }
    }

    /// The element-wise activation the layer applies (`linear` for none).
    public var activation: Activation {
        switch self {
        case .dense(_, let activation), .conv2d(_, _, _, _, let activation), .activation(let activation): activation
        case .maxpool2d, .avgpool2d, .flatten, .add, .concat: .linear
        }
    }

    /// How a model names layers of this kind, followed by their number among the kind
    /// (`dense1`, `conv2`, `maxpool1`).
    public var namePrefix: String {
        switch self {
        case .dense: "dense"
        case .conv2d: "conv"
        case .maxpool2d: "maxpool"
        case .avgpool2d: "avgpool"
        case .flatten: "flatten"
        case .activation: "activation"
        case .add: "add"
        case .concat: "concat"
        }
    }

    /// The shapes of the layer's parameters (weights, then bias) for a per-sample input
    /// shape; empty for a layer without parameters. Checks that the input fits the kind.
    public func parameterShapes(for inputShape: [Int], layer: String) throws(NetworkError) -> [[Int]] {
        switch self {
        case .dense(let units, _):
            guard inputShape.count == 1 else {
                throw NetworkError(layer: layer, "a dense layer needs flat inputs but gets \(inputShape); put flatten before it")
            }
            return [[inputShape[0], units], [units]]
        case .conv2d(let filters, let kernel, _, _, _):
            guard inputShape.count == 3 else {
                throw NetworkError(layer: layer, "a conv2d layer needs [height, width, channels] inputs but gets \(inputShape)")
            }
            guard kernel.count == 2 else { throw NetworkError(layer: layer, "a kernel of \(kernel.count) sizes; [height, width] is needed") }
            return [[kernel[0], kernel[1], inputShape[2], filters], [filters]]
        case .maxpool2d, .avgpool2d, .flatten, .activation, .add, .concat:
            return []
        }
    }

    /// Where a built layer's parameters come from.
    public enum Weights: Sendable {
        /// Drawn from `initializer` with the layer's own random stream.
        case drawn(Initializer, SeededRNG)
        /// Given (an imported model's, or a checkpoint's), in the shapes of
        /// ``parameterShapes(for:layer:)``.
        case given([Tensor])
    }

    /// The runnable layer of this description for its inputs' per-sample shapes (one,
    /// or two and more for a merge): the one place a description becomes a ``Layer``.
    /// Checks the input shapes and the given parameters' shapes; the caller counts the
    /// parameters against ``ModelBudget`` first.
    public func build(name: String, inputShapes: [[Int]], weights: Weights) throws(NetworkError) -> any Layer {
        guard kind.isMerge ? inputShapes.count >= 2 : inputShapes.count == 1 else {
            throw NetworkError(layer: name, "a \(kind.rawValue) layer takes \(kind.isMerge ? "two or more inputs" : "one input"), it is given \(inputShapes.count)")
        }
        let inputShape = inputShapes[0]
        switch self {
        case .dense(_, let activation), .conv2d(_, _, _, _, let activation):
            guard !activation.needsInput else {
                throw NetworkError(layer: name, "\(activation.rawValue) is not monotonic, so its gradient needs its input: make this layer's activation linear and follow it with a layer of its own, {activation: \(activation.rawValue)}")
            }
        case .maxpool2d, .avgpool2d, .flatten, .activation, .add, .concat:
            break
        }
        let shapes = try parameterShapes(for: inputShape, layer: name)
        var given: [Tensor] = []
        var stream = SeededRNG(seed: 0)
        var initializer = Initializer.zeros
        switch weights {
        case .given(let tensors):
            guard tensors.map(\.shape) == shapes else {
                throw NetworkError(layer: name, "parameters of shapes \(tensors.map(\.shape)), but a \(kind.rawValue) layer on \(inputShape) has \(shapes)")
            }
            given = tensors
        case .drawn(let drawnWith, let rng):
            initializer = drawnWith
            stream = rng
        }
        let layer: any Layer
        switch self {
        case .dense(let units, let activation):
            layer = given.isEmpty
                ? Dense(name: name, inputSize: inputShape[0], outputSize: units, activation: activation, initializer: initializer, rng: &stream)
                : Dense(name: name, weights: given[0], bias: given[1], activation: activation)
        case .conv2d(let filters, let kernel, let stride, let padding, let activation):
            layer = given.isEmpty
                ? Conv2D(name: name, kernelSize: (kernel[0], kernel[1]), inputChannels: inputShape[2], outputChannels: filters,
                         stride: stride, padding: padding, activation: activation, initializer: initializer, rng: &stream)
                : Conv2D(name: name, kernel: given[0], bias: given[1], stride: stride, padding: padding, activation: activation)
        case .maxpool2d(let size, let stride):
            layer = MaxPool2D(name: name, size: size, stride: stride)
        case .avgpool2d(let size, let stride):
            layer = AvgPool2D(name: name, size: size, stride: stride)
        case .flatten:
            layer = Flatten(name: name)
        case .activation(let activation):
            layer = ActivationLayer(name: name, activation)
        case .add:
            layer = Add(name: name)
        case .concat:
            layer = Concat(name: name)
        }
        _ = try layer.outputShape(forInputs: inputShapes)
        return layer
    }
}
