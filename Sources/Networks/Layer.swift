import Diagnostics
import Tensor

/// What a layer's forward pass leaves for its backward pass.
public struct LayerTrace: Sendable {
    /// The layer's input, `[batch, ...]`.
    public var input: Tensor
    /// The layer's output after its activation, `[batch, ...]`.
    public var output: Tensor
    /// Layer-specific saved values: im2col columns for `Conv2D`, the flat input index
    /// of each output's maximum for `MaxPool2D`.
    public var saved: Tensor?
    public var argmax: [Int32]
    /// A merge's inputs after the first (``input``), in the order of its node's inputs.
    public var otherInputs: [Tensor]

    public init(input: Tensor, output: Tensor, saved: Tensor? = nil, argmax: [Int32] = [], otherInputs: [Tensor] = []) {
        self.input = input
        self.output = output
        self.saved = saved
        self.argmax = argmax
        self.otherInputs = otherInputs
    }

    /// Every input of the layer, first to last.
    public var inputs: [Tensor] { [input] + otherInputs }
}

/// One layer of a ``Sequential`` model: a forward map on a batch and its exact backward
/// pass (the gradient with respect to the input and to each parameter).
///
/// Layers are values. Their parameters live in ``parameters`` (weights first, then
/// bias), which optimizers update in place.
public protocol Layer: Sendable {
    /// A stable name, unique in its model (e.g. `dense1`); used in run files.
    var name: String { get }
    /// The layer's description: its kind and hyperparameters (``LayerSpec``); with
    /// ``parameters`` it rebuilds the layer (``LayerSpec/build(name:inputShape:weights:)``).
    var spec: LayerSpec { get }
    /// The activation applied to the layer's output (`linear` when none).
    var activation: Activation { get }
    /// Trainable tensors, weights first (`[in, out]` for Dense, `[kh, kw, cin, cout]`
    /// for Conv2D), then bias (`[out]`).
    var parameters: [Tensor] { get set }
    /// Names of ``parameters``, e.g. `["weights", "bias"]`.
    var parameterNames: [String] { get }

    /// The per-sample output shape for a per-sample input shape; throws when the input
    /// does not fit the layer.
    func outputShape(for inputShape: [Int]) throws(NetworkError) -> [Int]

    /// Forward pass on `[batch, ...]`.
    func forward(_ input: Tensor) -> LayerTrace

    /// Backward pass: given ∂L/∂output, returns ∂L/∂input (when asked) and ∂L/∂θ for
    /// each parameter, in the order of ``parameters``.
    func backward(_ outputGradient: Tensor, trace: LayerTrace, needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor])

    /// How many inputs the layer takes: 1, or at least 2 for a merge (``Add``, ``Concat``).
    var takesSeveralInputs: Bool { get }

    /// A merge's output shape for its inputs' shapes (the others: their one input's).
    func outputShape(forInputs shapes: [[Int]]) throws(NetworkError) -> [Int]

    /// A merge's forward pass on its inputs (the others: on their one input).
    func forward(inputs: [Tensor]) -> LayerTrace

    /// A merge's backward pass: ∂L/∂(each input) from ∂L/∂output (merges have no
    /// parameters). The others: their one input's gradient.
    func backward(toInputs outputGradient: Tensor, trace: LayerTrace) -> [Tensor]
}

extension Layer {
    public var takesSeveralInputs: Bool { false }

    public func outputShape(forInputs shapes: [[Int]]) throws(NetworkError) -> [Int] {
        guard shapes.count == 1 else { throw NetworkError(layer: name, "takes one input, got \(shapes.count)") }
        return try outputShape(for: shapes[0])
    }

    public func forward(inputs: [Tensor]) -> LayerTrace { forward(inputs[0]) }

    public func backward(toInputs outputGradient: Tensor, trace: LayerTrace) -> [Tensor] {
        [backward(outputGradient, trace: trace, needsInputGradient: true).input ?? outputGradient]
    }

    /// The kind of layer, e.g. `dense`, `conv2d`, `maxpool2d`.
    public var kind: LayerKind { spec.kind }
    public var parameterNames: [String] { parameters.isEmpty ? [] : ["weights", "bias"] }
    public var activation: Activation { spec.activation }

    /// The forward output alone.
    public func callAsFunction(_ input: Tensor) -> Tensor { forward(input).output }
}

/// A problem building or running a model: which layer, and what does not fit.
public struct NetworkError: LabError, Equatable {
    public var failure: FailureKind { .input }

    public var layer: String
    public var reason: String

    public init(layer: String, _ reason: String) {
        self.layer = layer
        self.reason = reason
    }

    public var description: String { "layer \(layer): \(reason)" }
}
