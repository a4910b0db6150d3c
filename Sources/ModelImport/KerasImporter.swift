import Foundation
import HDF5
import Networks
import Tensor

/// Reads a Keras model saved as HDF5 (`model.save("m.h5")`, Keras 2 and 3): the
/// architecture from the root attribute `model_config` (JSON), the weights from
/// `model_weights/<layer>/…/kernel` and `bias` (Keras 2 appends `:0`).
///
/// A `Sequential` model of InputLayer, Dense, Conv2D (channels_last, groups 1, no
/// dilation, padding `valid` or `same` where that is symmetric), MaxPooling2D and
/// AveragePooling2D (padding `valid`), Flatten, Activation, ReLU, Softmax (last only)
/// and Dropout (skipped). Keras is NHWC like the lab, so weights keep their layout:
/// Dense kernels are `[in, out]`, Conv2D kernels `[kh, kw, cin, cout]`.
enum KerasImporter {
    static let layerClasses = ["InputLayer", "Dense", "Conv2D", "BatchNormalization", "MaxPooling2D", "AveragePooling2D",
                               "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Flatten",
                               "Activation", "ReLU", "LeakyReLU", "Softmax", "Dropout"]

    /// The most layers a model's configuration may list (Dropout and InputLayer included).
    static let maximumConfigLayers = 10_000

    static func read(_ path: String, sha256: String) throws(ModelImportError) -> ImportedModel {
        do {
            return try readChecked(path, sha256: sha256)
        } catch let error as ModelImportError {
            throw error
        } catch {
            throw ModelImportError(file: path, "\(error)")
        }
    }

    private static func readChecked(_ path: String, sha256: String) throws -> ImportedModel {
        let file = try H5File.open(path)
        guard file.hasAttribute("model_config") else {
            throw ModelImportError(file: path, "an HDF5 file without the `model_config` attribute of a Keras model (a file of model.save_weights holds no architecture)")
        }
        let text = try file.stringAttribute("model_config")
        guard let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw ModelImportError(file: path, "`model_config` is not a JSON object")
        }
        let className = json["class_name"] as? String ?? "?"
        guard let config = json["config"] as? [String: Any], let layers = (config["layers"] ?? json["config"]) as? [[String: Any]] else {
            throw ModelImportError(file: path, "`model_config` lists no layers")
        }
        guard layers.count <= maximumConfigLayers else {
            throw ModelImportError(file: path, "`model_config` lists \(layers.count) layers; at most \(maximumConfigLayers) are read")
        }
        switch className {
        case "Sequential": break
        case "Functional", "Model": try checkChain(layers, file: path)
        default: throw ModelImportError(file: path, "a Keras \(className) model; Sequential models and functional chains are supported (or export to ONNX with tf2onnx)")
        }
        let weightsRoot: any H5Container
        if file.isGroup("model_weights") { weightsRoot = try file.group("model_weights") } else { weightsRoot = file }
        var inputShape = (config["build_input_shape"] as? [Any]).map(Self.sizes)
        var builder: ImportBuilder?
        for (index, layer) in layers.enumerated() {
            let kind = layer["class_name"] as? String ?? "?"
            let settings = layer["config"] as? [String: Any] ?? [:]
            let name = settings["name"] as? String ?? "layer \(index)"
            let place = "layer \(index) '\(name)' (\(kind))"
            func fail(_ reason: String) -> ModelImportError { ModelImportError(file: path, "\(place): \(reason)") }
            if let shape = (settings["batch_shape"] ?? settings["batch_input_shape"]) as? [Any] { inputShape = sizes(shape) }
            if kind == "InputLayer" { continue }
            if builder == nil {
                guard let shape = inputShape, shape.count == 2 || shape.count == 4, shape.dropFirst().allSatisfy({ $0 > 0 && $0 <= 1 << 24 }) else {
                    throw ModelImportError(file: path, "no fixed input shape ([batch, features] or [batch, h, w, c]) in `model_config`")
                }
                builder = try ImportBuilder(file: path, inputShape: Array(shape.dropFirst()), sourceIsNCHW: false)
            }
            // Taken out while it changes, so that its arrays are not copied for every layer
            // (which made 100,000 Dropout layers take quadratic time).
            guard var b = builder.take() else { continue }
            if let format = settings["data_format"] as? String, format != "channels_last" {
                throw fail("data_format \(format); channels_last is supported")
            }
            let isLast = index == layers.count - 1
            switch kind {
            case "Dropout":
                b.notes.append("\(place) skipped (dropout does nothing at inference)")
            case "Flatten":
                try b.flatten(place: place)
            case "LeakyReLU":
                let slope = (settings["negative_slope"] ?? settings["alpha"]) as? Double ?? 0.3
                guard abs(Float(slope) - Activation.leakySlope) < 1e-7 else {
                    throw fail("negative_slope \(slope); LeakyReLU with slope 0.01 is supported (keras.layers.LeakyReLU(negative_slope=0.01))")
                }
                try b.activation(.leakyRelu, place: place)
            case "Activation", "ReLU", "Softmax":
                let maximum = settings["max_value"] as? Double
                let activationName = kind == "Activation" ? settings["activation"] : kind == "ReLU" ? (maximum == 6 ? "relu6" : "relu") : "softmax"
                if kind == "ReLU", (maximum != nil && maximum != 6) || ((settings["negative_slope"] as? Double) ?? 0) != 0
                    || ((settings["threshold"] as? Double) ?? 0) != 0 {
                    throw fail("a ReLU with max_value \(maximum.map { "\($0)" } ?? "none"), a negative_slope or a threshold; ReLU and ReLU(max_value=6) are supported")
                }
                try applyActivation(activationName, isLast: isLast, place: place, builder: &b, fail: fail)
            case "Dense":
                let (kernel, bias) = try weights(weightsRoot, layer: name, place: place, file: path)
                guard kernel.shape.count == 2 else { throw fail("a kernel of shape \(kernel.shape)") }
                try b.dense(weights: kernel.scalars, inputs: kernel.shape[0], outputs: kernel.shape[1], bias: bias?.scalars, place: place)
                try applyActivation(settings["activation"], isLast: isLast, place: place, builder: &b, fail: fail)
            case "Conv2D":
                guard (settings["groups"] as? Int ?? 1) == 1 else { throw fail("grouped convolution is not supported") }
                guard (settings["dilation_rate"] as? [Any]).map(sizes)?.allSatisfy({ $0 == 1 }) ?? true else { throw fail("dilated convolution is not supported") }
                let (kernel, bias) = try weights(weightsRoot, layer: name, place: place, file: path)
                guard kernel.shape.count == 4 else { throw fail("a kernel of shape \(kernel.shape)") }
                let strides = (settings["strides"] as? [Any]).map(sizes) ?? [1, 1]
                guard strides.count == 2, strides[0] == strides[1], strides[0] >= 1 else { throw fail("strides \(strides); equal strides are supported") }
                let padding: Int
                switch settings["padding"] as? String ?? "valid" {
                case "valid": padding = 0
                case "same" where strides[0] == 1 && kernel.shape[0] == kernel.shape[1] && kernel.shape[0] % 2 == 1: padding = kernel.shape[0] / 2
                default: throw fail("padding \(settings["padding"] ?? "?") with kernel \(kernel.shape[0])×\(kernel.shape[1]) and stride \(strides[0]) pads unevenly; not supported")
                }
                try b.conv(kernel: kernel, bias: bias?.scalars, stride: strides[0], padding: padding, place: place)
                try applyActivation(settings["activation"], isLast: isLast, place: place, builder: &b, fail: fail)
            case "BatchNormalization":
                let found = try named(weightsRoot, layer: name, place: place, file: path)
                guard let mean = found["moving_mean"], let variance = found["moving_variance"] else { throw fail("no moving mean and variance") }
                let ones = [Float](repeating: 1, count: mean.count), zeros = [Float](repeating: 0, count: mean.count)
                try b.batchNormalization(scale: found["gamma"]?.scalars ?? ones, shift: found["beta"]?.scalars ?? zeros, mean: mean.scalars,
                                         variance: variance.scalars, epsilon: Float(settings["epsilon"] as? Double ?? 0.001), place: place)
            case "GlobalAveragePooling2D", "GlobalMaxPooling2D":
                guard b.shape.count == 3, b.shape[0] == b.shape[1] else { throw fail("global pooling of a \(b.shape) tensor; square feature maps are supported") }
                if settings["keepdims"] as? Bool == true { throw fail("keepdims is not supported") }
                try b.pool(maximum: kind == "GlobalMaxPooling2D", size: b.shape[0], stride: b.shape[0], place: place)
                try b.flatten(place: place)
            case "MaxPooling2D", "AveragePooling2D":
                let size = (settings["pool_size"] as? [Any]).map(sizes) ?? [2, 2]
                let strides = (settings["strides"] as? [Any]).map(sizes) ?? size
                guard size.count == 2, size[0] == size[1], strides.count == 2, strides[0] == strides[1], size[0] >= 1, strides[0] >= 1 else {
                    throw fail("pool_size \(size), strides \(strides); square pools with equal strides are supported")
                }
                guard (settings["padding"] as? String ?? "valid") == "valid" else { throw fail("padded pooling is not supported") }
                try b.pool(maximum: kind == "MaxPooling2D", size: size[0], stride: strides[0], place: place)
            default:
                throw fail("layer class \(kind) is not supported (supported: \(layerClasses.joined(separator: ", ")))")
            }
            builder = b
        }
        guard let builder else { throw ModelImportError(file: path, "the model has no layers") }
        return try builder.finish(format: .keras, inputShape: builder.inputShape, inputLayout: builder.inputShape.count == 3 ? .nhwc : .flat, sha256: sha256)
    }

    static func sizes(_ list: [Any]) -> [Int] { list.map { ($0 as? Int) ?? -1 } }

    /// A functional model is imported when its layers form a chain in the listed order:
    /// each takes exactly the output of the layer listed before it (Keras 3's
    /// `keras_history` or Keras 2's `[[name, 0, 0, {}]]` inbound nodes).
    static func checkChain(_ layers: [[String: Any]], file: String) throws(ModelImportError) {
        var previous: String?
        for (index, layer) in layers.enumerated() {
            let name = (layer["config"] as? [String: Any])?["name"] as? String ?? (layer["name"] as? String ?? "layer \(index)")
            let nodes = layer["inbound_nodes"] as? [Any] ?? []
            var inbound: [String] = []
            for node in nodes {
                if let keras3 = node as? [String: Any] {
                    for argument in keras3["args"] as? [Any] ?? [] {
                        if let history = ((argument as? [String: Any])?["config"] as? [String: Any])?["keras_history"] as? [Any], let source = history.first as? String {
                            inbound.append(source)
                        }
                    }
                } else if let keras2 = node as? [Any] {
                    for entry in keras2 { if let source = (entry as? [Any])?.first as? String { inbound.append(source) } }
                }
            }
            if let previous {
                guard nodes.count == 1, inbound == [previous] else {
                    throw ModelImportError(file: file, "layer \(index) '\(name)' takes \(inbound.isEmpty ? "no input" : inbound.joined(separator: ", ")), not only the output of '\(previous)': only chains of layers are supported")
                }
            }
            previous = name
        }
    }

    private static func applyActivation(_ value: Any?, isLast: Bool, place: String, builder: inout ImportBuilder,
                                        fail: (String) -> ModelImportError) throws(ModelImportError) {
        var name = value as? String ?? "linear"
        if let object = value as? [String: Any] {
            name = ((object["config"] as? [String: Any])?["name"] as? String) ?? (object["class_name"] as? String)?.lowercased() ?? "?"
        }
        switch name {
        case "linear": return
        case "softmax", "log_softmax":
            guard isLast else { throw fail("\(name) is supported only in the last layer (the lab works on logits)") }
            builder.notes.append("the final \(name) is dropped: explanations and I(T;Y) use the logits")
        default:
            guard let activation = Activation(rawValue: name) else {
                throw fail("activation \(name) is not supported (supported: \(Activation.allCases.map(\.rawValue).joined(separator: ", ")), softmax last)")
            }
            try builder.activation(activation, place: place)
        }
    }

    /// The layer's kernel and bias, found below `model_weights/<layer>` by name.
    private static func weights(_ root: any H5Container, layer: String, place: String, file: String) throws -> (Tensor, Tensor?) {
        let found = try named(root, layer: layer, place: place, file: file)
        guard let kernel = found["kernel"] else { throw ModelImportError(file: file, "\(place): no kernel dataset below '\(layer)'") }
        return (kernel, found["bias"])
    }

    /// The datasets below `model_weights/<layer>` by name without Keras 2's `:0`.
    private static func named(_ root: any H5Container, layer: String, place: String, file: String) throws -> [String: Tensor] {
        guard root.isGroup(layer) else { throw ModelImportError(file: file, "\(place): no weights group '\(layer)'") }
        var found: [String: Tensor] = [:]
        func visit(_ group: H5Group, depth: Int) throws {
            guard depth < 8 else { return }
            for child in try group.childNames() {
                if group.isGroup(child) {
                    try visit(try group.group(child), depth: depth + 1)
                } else if group.isDataset(child) {
                    let key = child.split(separator: ":").first.map(String.init) ?? child
                    guard ["kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance"].contains(key) else { continue }
                    guard found[key] == nil else { throw ModelImportError(file: file, "\(place): two '\(key)' datasets") }
                    let dataset = try group.dataset(child)
                    let tensor = Tensor(shape: try dataset.shape(), scalars: try dataset.read(as: Float.self))
                    if let bad = tensor.scalars.firstIndex(where: { !$0.isFinite }) {
                        throw ModelImportError(file: file, "\(place): \(key) holds a non-finite value (\(tensor.scalars[bad]))")
                    }
                    found[key] = tensor
                }
            }
        }
        try visit(try root.group(layer), depth: 0)
        return found
    }
}
