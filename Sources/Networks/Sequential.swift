import Tensor

/// A chain of named layers; every layer's output can be observed.
///
/// The last layer outputs logits; the softmax lives in the loss
/// (``SoftmaxCrossEntropy``) and in ``probabilities(_:)``.
public struct Sequential: Sendable {
    /// The per-sample input shape, e.g. `[12]` or `[28, 28, 1]`.
    public let inputShape: [Int]
    public var layers: [any Layer]
    /// The per-sample output shape of each layer.
    public let outputShapes: [[Int]]

    /// Checks that every layer fits its input and that names are unique.
    public init(inputShape: [Int], layers: [any Layer]) throws(NetworkError) {
        var shape = inputShape
        var shapes: [[Int]] = []
        var names = Set<String>()
        for layer in layers {
            guard names.insert(layer.name).inserted else {
                throw NetworkError(layer: layer.name, "the name is used twice")
            }
            shape = try layer.outputShape(for: shape)
            shapes.append(shape)
        }
        self.inputShape = inputShape
        self.layers = layers
        self.outputShapes = shapes
    }

    /// The number of classes (the last layer's width).
    public var outputSize: Int { outputShapes.last?.reduce(1, *) ?? inputShape.reduce(1, *) }

    /// Forward pass keeping every layer's trace (input and output), `[batch, ...]`.
    public func forward(_ input: Tensor) -> [LayerTrace] {
        var traces: [LayerTrace] = []
        traces.reserveCapacity(layers.count)
        var x = input
        for layer in layers {
            let trace = layer.forward(x)
            x = trace.output
            traces.append(trace)
        }
        return traces
    }

    /// The logits `[batch, classes]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        forward(input).last?.output ?? input
    }

    /// Class probabilities: the softmax of the logits, `[batch, classes]`.
    public func probabilities(_ input: Tensor) -> Tensor {
        var logits = self(input)
        let width = logits.rowSize
        logits.scalars.withUnsafeMutableBufferPointer { Kernels.softmaxRows($0, width: width) }
        return logits
    }

    /// Backward pass from ∂L/∂logits through all layers: the parameter gradients of
    /// every layer (empty for parameter-free layers), in layer order, and ∂L/∂input
    /// when asked.
    public func backward(_ logitGradient: Tensor, traces: [LayerTrace], needsInputGradient: Bool = false) -> (parameters: [[Tensor]], input: Tensor?) {
        var gradients = [[Tensor]](repeating: [], count: layers.count)
        var g = logitGradient
        var inputGradient: Tensor?
        for index in layers.indices.reversed() {
            let needsInput = index > 0 || needsInputGradient
            let result = layers[index].backward(g, trace: traces[index], needsInputGradient: needsInput)
            gradients[index] = result.parameters
            if let input = result.input {
                if index > 0 { g = input } else { inputGradient = input }
            }
        }
        return (gradients, inputGradient)
    }

    /// Total number of trainable scalars.
    public var parameterCount: Int {
        layers.reduce(0) { $0 + $1.parameters.reduce(0) { $0 + $1.count } }
    }
}
