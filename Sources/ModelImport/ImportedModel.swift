import Datasets
import Networks
import Tensor

/// A network read from another framework's file, in the lab's conventions: NHWC images,
/// Dense weights `[in, out]`, Conv2D kernels `[kh, kw, cin, cout]`, the activation folded
/// into the layer before it, and the last layer a linear Dense giving the logits.
///
/// ``ModelImporter`` makes one from an ONNX or Keras HDF5 file; ``sequential()`` makes
/// the runnable network, named as the lab names a configured one (`conv1`, `dense1`,
/// …, `output`), so that the model can become a run file.
public struct ImportedModel: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        /// ONNX (`torch.onnx.export`, tf2onnx).
        case onnx
        /// Keras HDF5 (`model.save("m.h5")`).
        case keras
    }

    public enum Layer: Sendable {
        /// weights `[in, out]`, bias `[out]`.
        case dense(weights: Tensor, bias: Tensor, activation: Activation)
        /// kernel `[kh, kw, cin, cout]`, bias `[cout]`; zero padding on all four sides.
        case conv2d(kernel: Tensor, bias: Tensor, stride: Int, padding: Int, activation: Activation)
        case maxpool2d(size: Int, stride: Int)
        case avgpool2d(size: Int, stride: Int)
        case flatten
        /// An activation that could not be folded into the layer before it.
        case activation(Activation)
    }

    public var format: Format
    /// The layers in order; the last is the output Dense (linear).
    public var layers: [Layer]
    /// One sample's shape as the lab holds it: `[features]` or `[height, width, channels]`.
    public var inputShape: [Int]
    /// For image inputs: the order of axes the source model expects (ONNX from PyTorch:
    /// NCHW; Keras: NHWC). Data in that order is transposed when read.
    public var inputLayout: ImageLayout?
    /// What the import changed, in words (a final softmax dropped, a dropout skipped).
    public var notes: [String]
    /// SHA-256 of the file's bytes, hexadecimal.
    public var sha256: String

    /// The number of logits (the output layer's units).
    public var outputUnits: Int {
        if case .dense(let weights, _, _)? = layers.last { return weights.shape[1] }
        return 0
    }

    /// The runnable network: layers named `convN`, `denseN`, `maxpoolN`, `avgpoolN`,
    /// `flattenN`, `activationN` by kind and order, the last `output`.
    public func sequential() throws(NetworkError) -> Sequential {
        var counts: [String: Int] = [:]
        func name(_ kind: String) -> String {
            counts[kind, default: 0] += 1
            return "\(kind)\(counts[kind, default: 0])"
        }
        var built: [any Networks.Layer] = []
        for (index, layer) in layers.enumerated() {
            let last = index == layers.count - 1
            switch layer {
            case .dense(let weights, let bias, let activation):
                built.append(Dense(name: last ? "output" : name("dense"), weights: weights, bias: bias, activation: activation))
            case .conv2d(let kernel, let bias, let stride, let padding, let activation):
                built.append(Conv2D(name: name("conv"), kernel: kernel, bias: bias, stride: stride, padding: padding, activation: activation))
            case .maxpool2d(let size, let stride):
                built.append(MaxPool2D(name: name("maxpool"), size: size, stride: stride))
            case .avgpool2d(let size, let stride):
                built.append(AvgPool2D(name: name("avgpool"), size: size, stride: stride))
            case .flatten:
                built.append(Flatten(name: name("flatten")))
            case .activation(let activation):
                built.append(ActivationLayer(name: name("activation"), activation))
            }
        }
        return try Sequential(inputShape: inputShape, layers: built)
    }
}

/// Why a model file cannot be imported: the file, and what is wrong (the first
/// unsupported operator or attribute, with the node or layer that has it).
public struct ModelImportError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var reason: String

    public init(file: String, _ reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(reason)" }
}
