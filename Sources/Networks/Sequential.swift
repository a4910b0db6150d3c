import Tensor

/// A model: named layers in order, each consuming the outputs of earlier layers (or the
/// model's input): a chain, or a graph with merges (``Add``, ``Concat``) and outputs
/// used by several layers. Every layer's output can be observed.
///
/// The last layer outputs logits; the softmax lives in the loss
/// (``SoftmaxCrossEntropy``) and in ``probabilities(_:)``.
public struct Sequential: Sendable {
    /// The per-sample input shape, e.g. `[12]` or `[28, 28, 1]`.
    public let inputShape: [Int]
    public var layers: [any Layer]
    /// Each layer's inputs: indices of earlier layers, −1 for the model's input. A chain
    /// has `[[-1], [0], [1], …]`.
    public let inputs: [[Int]]
    /// The per-sample output shape of each layer.
    public let outputShapes: [[Int]]

    /// A chain: each layer consumes the one before it.
    public init(inputShape: [Int], layers: [any Layer]) throws(NetworkError) {
        try self.init(inputShape: inputShape, layers: layers, inputs: layers.indices.map { [$0 - 1] })
    }

    /// Checks that names are unique, that every layer takes earlier outputs (one, or two
    /// and more for a merge) that fit it, and that every output but the last is used.
    public init(inputShape: [Int], layers: [any Layer], inputs: [[Int]]) throws(NetworkError) {
        guard inputs.count == layers.count else {
            throw NetworkError(layer: layers.first?.name ?? "model", "\(inputs.count) input lists for \(layers.count) layers")
        }
        var shapes: [[Int]] = []
        var names = Set<String>()
        var used = [Bool](repeating: false, count: layers.count)
        for (index, layer) in layers.enumerated() {
            guard names.insert(layer.name).inserted else {
                throw NetworkError(layer: layer.name, "the name is used twice")
            }
            let sources = inputs[index]
            guard layer.takesSeveralInputs ? sources.count >= 2 : sources.count == 1 else {
                throw NetworkError(layer: layer.name, "takes \(layer.takesSeveralInputs ? "two or more inputs" : "one input"), given \(sources.count)")
            }
            guard sources.allSatisfy({ (-1..<index).contains($0) }) else {
                throw NetworkError(layer: layer.name, "takes the output of a layer that does not come before it")
            }
            for source in sources where source >= 0 { used[source] = true }
            shapes.append(try layer.outputShape(forInputs: sources.map { $0 < 0 ? inputShape : shapes[$0] }))
        }
        if let unused = used.dropLast().firstIndex(of: false) {
            throw NetworkError(layer: layers[unused].name, "its output is used by no layer (it would not reach the logits)")
        }
        self.inputShape = inputShape
        self.layers = layers
        self.inputs = inputs
        self.outputShapes = shapes
    }

    /// Whether each layer consumes the one before it (no merges, no skips).
    public var isChain: Bool { inputs.indices.allSatisfy { inputs[$0] == [$0 - 1] } }

    /// The number of classes (the last layer's width).
    public var outputSize: Int { outputShapes.last?.reduce(1, *) ?? inputShape.reduce(1, *) }

    /// Forward pass keeping every layer's trace (inputs and output), `[batch, ...]`;
    /// with `last`, only the layers up to it (what its output needs, in a graph too).
    public func forward(_ input: Tensor, through last: Int? = nil) -> [LayerTrace] {
        var traces: [LayerTrace] = []
        let count = min(layers.count, (last ?? layers.count - 1) + 1)
        traces.reserveCapacity(count)
        for (layer, sources) in zip(layers.prefix(count), inputs) {
            if sources.count == 1 {
                traces.append(layer.forward(sources[0] < 0 ? input : traces[sources[0]].output))
            } else {
                traces.append(layer.forward(inputs: sources.map { $0 < 0 ? input : traces[$0].output }))
            }
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
    /// when asked. Where an output feeds several layers, their gradients are summed.
    public func backward(_ logitGradient: Tensor, traces: [LayerTrace], needsInputGradient: Bool = false) -> (parameters: [[Tensor]], input: Tensor?) {
        var gradients = [[Tensor]](repeating: [], count: layers.count)
        let input = propagateBack(from: layers.count - 1, seed: logitGradient) { index, g in
            let layer = layers[index]
            if layer.takesSeveralInputs { return layer.backward(toInputs: g, trace: traces[index]) }
            let result = layer.backward(g, trace: traces[index], needsInputGradient: inputs[index] != [-1] || needsInputGradient)
            gradients[index] = result.parameters
            return result.input.map { [$0] } ?? []
        }
        return (gradients, needsInputGradient ? input : nil)
    }

    /// Total number of trainable scalars.
    public var parameterCount: Int {
        layers.reduce(0) { $0 + $1.parameters.reduce(0) { $0 + $1.count } }
    }
}
