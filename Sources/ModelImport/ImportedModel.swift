import Datasets
import Diagnostics
import Networks
import Tensor

/// A network read from another framework's file, in the lab's conventions: NHWC images,
/// Dense weights `[in, out]`, Conv2D kernels `[kh, kw, cin, cout]`, the activation folded
/// into the layer before it, and the last layer a linear Dense giving the logits.
///
/// ``ModelImporter`` makes one from an ONNX or Keras file; ``sequential()`` makes
/// the runnable network, named as the lab names a configured one (`conv1`, `dense1`,
/// …, `output`), so that the model can become a run file.
public struct ImportedModel: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        /// ONNX (`torch.onnx.export`, tf2onnx).
        case onnx
        /// Keras (`model.save("m.keras")` or `"m.h5"`).
        case keras
    }

    public var format: Format
    /// The architecture, in the lab's one description (``ModelDescription``): layers
    /// named by kind and order (`conv1`, `maxpool1`, `dense1`, …), the last the output
    /// Dense (linear) giving the logits.
    public var architecture: ModelDescription
    /// Each layer's parameters in the lab's shapes (weights, then bias; empty for a layer
    /// without), in the order of `architecture.nodes`.
    public var parameters: [[Tensor]]
    /// One sample's shape as the lab holds it: `[features]` or `[height, width, channels]`.
    public var inputShape: [Int] { architecture.inputShape }
    /// For image inputs: the order of axes the source model expects (ONNX from PyTorch:
    /// NCHW; Keras: NHWC). Data in that order is transposed when read.
    public var inputLayout: ImageLayout?
    /// What the import changed, in words (a final softmax dropped, a dropout skipped).
    public var notes: [String]
    /// SHA-256 of the file's bytes, hexadecimal.
    public var sha256: String
    /// Layers whose kernels hold zeros that stand for structure, not values: a grouped
    /// (depthwise) or dilated convolution imported as an ordinary one, exact for the
    /// forward pass, gradients and LRP, but training would fill the zeros in, so such a
    /// model is not trained (`train --from` refuses it).
    public var structuralZeros: [String] = []

    /// The layers' descriptions in order.
    public var layers: [LayerSpec] { architecture.nodes.map(\.spec) }

    /// The number of logits (the output layer's units).
    public var outputUnits: Int {
        if case .dense(let units, _)? = architecture.nodes.last?.spec { return units }
        return 0
    }

    /// The runnable network, built from the description with the file's weights.
    public func sequential() throws(NetworkError) -> Sequential {
        try architecture.build { .given(parameters[$0]) }
    }
}

/// Why a model file cannot be imported: the file, and what is wrong (the first
/// unsupported operator or attribute, with the node or layer that has it).
public struct ModelImportError: LabError, Equatable {
    public var failure: FailureKind { .input }

    public var file: String
    public var reason: String

    public init(file: String, _ reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(reason)" }
}
