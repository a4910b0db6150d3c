import Datasets
import Foundation
import HDF5
import Networks
import Tensor

/// Reads a Keras model: saved as HDF5 (`model.save("m.h5")`, Keras 2 and 3; the
/// architecture from the root attribute `model_config` (JSON), the weights from
/// `model_weights/<layer>/…/kernel` and `bias`, Keras 2 appending `:0`) or in Keras 3's
/// own `.keras` archive (a zip of `config.json` and `model.weights.h5`, whose weights are
/// numbered per layer: ``KerasWeights``).
///
/// A `Sequential` model, or a functional one (a DAG from one input to one output: one
/// layer's output may feed several, `Add` sums and `Concatenate` joins channels), of
/// InputLayer, Dense, Conv2D (channels_last, groups 1, no dilation, padding `valid` or
/// `same` where that is symmetric), BatchNormalization (folded into the layer before),
/// MaxPooling2D and AveragePooling2D (padding `valid`), global pooling, Flatten,
/// Activation, ReLU (and ReLU6), LeakyReLU, Softmax (last only), Add, Concatenate and
/// Dropout (skipped). Keras is NHWC like the lab, so weights keep their layout: Dense
/// kernels are `[in, out]`, Conv2D kernels `[kh, kw, cin, cout]`.
enum KerasImporter {
    static let layerClasses = ["InputLayer", "Dense", "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "BatchNormalization", "MaxPooling2D", "AveragePooling2D",
                               "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Flatten",
                               "Activation", "ReLU", "LeakyReLU", "Softmax", "Add", "Concatenate", "Dropout"]

    /// The most layers a model's configuration may list (Dropout and InputLayer included).
    static let maximumConfigLayers = 10_000
    /// The largest member of a `.keras` archive read (its weights file).
    static let maximumMemberBytes = 1 << 31

    /// A Keras HDF5 file.
    static func read(_ path: String, sha256: String) throws(ModelImportError) -> ImportedModel {
        try reporting(path) {
            let file = try H5File.open(path)
            guard file.hasAttribute("model_config") else {
                throw ModelImportError(file: path, "an HDF5 file without the `model_config` attribute of a Keras model (a file of model.save_weights holds no architecture)")
            }
            let weights: any H5Container = file.isGroup("model_weights") ? try file.group("model_weights") : file
            return try build(json: try file.stringAttribute("model_config"), origin: "`model_config`", weights: .named(weights), path: path, sha256: sha256)
        }
    }

    /// A Keras 3 `.keras` archive (already read: `bytes`).
    static func readArchive(_ bytes: [UInt8], path: String, sha256: String) throws(ModelImportError) -> ImportedModel {
        try reporting(path) {
            let archive: ZipArchive
            do { archive = try ZipArchive(bytes: bytes, file: path) } catch { throw ModelImportError(file: path, "\(error)") }
            func member(_ name: String) throws -> [UInt8] {
                guard let entry = archive.entries.first(where: { $0.name == name }) else {
                    throw ModelImportError(file: path, "a zip archive without \(name): not a Keras 3 `.keras` model")
                }
                guard entry.size <= maximumMemberBytes else {
                    throw ModelImportError(file: path, "\(name) declares \(entry.size) bytes; at most \(maximumMemberBytes) are read")
                }
                do { return try archive.contents(of: entry) } catch { throw ModelImportError(file: path, "\(error)") }
            }
            let config = String(decoding: try member("config.json"), as: UTF8.self)
            let file = try H5File.open(image: try member("model.weights.h5"), name: "\(path):model.weights.h5")
            return try build(json: config, origin: "config.json", weights: try KerasWeights.numbered(in: file, path: path), path: path, sha256: sha256)
        }
    }

    /// Runs `body`, passing a ``ModelImportError`` on and naming the file in any other.
    private static func reporting(_ path: String, _ body: () throws -> ImportedModel) throws(ModelImportError) -> ImportedModel {
        do {
            return try body()
        } catch let error as ModelImportError {
            throw error
        } catch {
            throw ModelImportError(file: path, "\(error)")
        }
    }

    private static func build(json text: String, origin: String, weights: KerasWeights, path: String, sha256: String) throws -> ImportedModel {
        guard let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw ModelImportError(file: path, "\(origin) is not a JSON object")
        }
        let className = json["class_name"] as? String ?? "?"
        guard let config = json["config"] as? [String: Any], let layers = (config["layers"] ?? json["config"]) as? [[String: Any]] else {
            throw ModelImportError(file: path, "\(origin) lists no layers")
        }
        guard layers.count <= maximumConfigLayers else {
            throw ModelImportError(file: path, "\(origin) lists \(layers.count) layers; at most \(maximumConfigLayers) are read")
        }
        let functional: Bool
        switch className {
        case "Sequential": functional = false
        case "Functional", "Model": functional = true
        default: throw ModelImportError(file: path, "a Keras \(className) model; Sequential and functional models are supported (or export to ONNX with tf2onnx)")
        }
        // A functional model's graph: each layer's inputs, how many layers consume each
        // output (one consumed more than once keeps its layer unchanged: nothing is folded
        // into it), and the one output.
        let graph = functional ? try KerasGraph(layers, config: config, file: path) : nil
        var values: [String: ImportBuilder.Value] = [:]
        var inputShape = (config["build_input_shape"] as? [Any]).map(Self.sizes)
        var builder: ImportBuilder?
        for (index, layer) in layers.enumerated() {
            let kind = layer["class_name"] as? String ?? "?"
            let settings = layer["config"] as? [String: Any] ?? [:]
            let name = settings["name"] as? String ?? "layer \(index)"
            let place = "layer \(index) '\(name)' (\(kind))"
            func fail(_ reason: String) -> ModelImportError { ModelImportError(file: path, "\(place): \(reason)") }
            if let shape = (settings["batch_shape"] ?? settings["batch_input_shape"]) as? [Any] { inputShape = sizes(shape) }
            if kind == "InputLayer" {
                guard graph == nil || values.isEmpty else { throw fail("a second input; models with one input are supported") }
                if builder == nil, let shape = inputShape { builder = try Self.start(shape, path: path, origin: origin) }
                if let start = builder?.current { values[name] = start }
                continue
            }
            if builder == nil {
                guard let shape = inputShape else { throw ModelImportError(file: path, "no fixed input shape ([batch, features] or [batch, h, w, c]) in \(origin)") }
                builder = try Self.start(shape, path: path, origin: origin)
            }
            // Taken out while it changes, so that its arrays are not copied for every layer
            // (which made 100,000 Dropout layers take quadratic time).
            guard var b = builder.take() else { continue }
            var others: [ImportBuilder.Value] = []
            if let graph {
                let sources = try graph.inputs(of: name, place: place)
                guard let main = sources.first, let value = values[main] else {
                    throw fail("takes \(sources.first ?? "nothing"), which no earlier layer computes; the layers must be listed in order from the one input")
                }
                b.current = value
                if graph.consumers[main, default: 0] > 1 { b.current.canFold = false }
                others = try sources.dropFirst().map { (source: String) throws -> ImportBuilder.Value in
                    guard let other = values[source] else { throw fail("takes \(source), which no earlier layer computes") }
                    return other
                }
                guard others.isEmpty || ["Add", "Concatenate"].contains(kind) else { throw fail("a \(kind) layer with \(sources.count) inputs") }
            }
            if let format = settings["data_format"] as? String, format != "channels_last" {
                throw fail("data_format \(format); channels_last is supported")
            }
            let isLast = graph.map { name == $0.output } ?? (index == layers.count - 1)
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
                let found = try weights.tensors(layer: name, kind: kind, settings: settings, place: place, file: path)
                guard let kernel = found["kernel"] else { throw fail("no kernel among its weights") }
                let bias = found["bias"]
                guard kernel.shape.count == 2 else { throw fail("a kernel of shape \(kernel.shape)") }
                try b.dense(weights: kernel.scalars, inputs: kernel.shape[0], outputs: kernel.shape[1], bias: bias?.scalars, place: place)
                try applyActivation(settings["activation"], isLast: isLast, place: place, builder: &b, fail: fail)
            case "Conv2D", "DepthwiseConv2D", "SeparableConv2D":
                // Grouped, depthwise and dilated kernels become ordinary ones with structural
                // zeros (ImportBuilder.structuredKernel); a separable convolution is its
                // depthwise convolution, then its pointwise 1×1 convolution.
                let found = try weights.tensors(layer: name, kind: kind, settings: settings, place: place, file: path)
                let dilation = (settings["dilation_rate"] as? [Any]).map(sizes) ?? [1, 1]
                guard dilation.count == 2, dilation[0] == dilation[1], dilation[0] >= 1 else { throw fail("dilation_rate \(dilation); equal rates are supported") }
                let strides = (settings["strides"] as? [Any]).map(sizes) ?? [1, 1]
                guard strides.count == 2, strides[0] == strides[1], strides[0] >= 1 else { throw fail("strides \(strides); equal strides are supported") }
                guard let raw = found[kind == "SeparableConv2D" ? "depthwise_kernel" : "kernel"] ?? found["depthwise_kernel"], raw.shape.count == 4 else {
                    throw fail("no 4-D kernel among its weights (\(found.keys.sorted().joined(separator: ", ")))")
                }
                let (kh, kw, k2, k3) = (raw.shape[0], raw.shape[1], raw.shape[2], raw.shape[3])
                let groups = kind == "Conv2D" ? settings["groups"] as? Int ?? 1 : 1
                let kernel: Tensor
                if kind == "Conv2D" {
                    // [kh, kw, cin / groups, cout]
                    guard groups >= 1, groups <= 4096, k3 % groups == 0 else { throw fail("groups \(groups) for \(k3) filters") }
                    let coutPerGroup = k3 / groups
                    kernel = try b.structuredKernel(kh: kh, kw: kw, cin: k2 * groups, cout: k3, dilation: dilation[0], place: place) { o, c, y, x in
                        c / k2 == o / coutPerGroup ? raw.scalars[((y * kw + x) * k2 + c % k2) * k3 + o] : nil
                    }
                } else {
                    // [kh, kw, cin, depth multiplier]: output channel c·m + j reads input channel c.
                    kernel = try b.structuredKernel(kh: kh, kw: kw, cin: k2, cout: k2 * k3, dilation: dilation[0], place: place) { o, c, y, x in
                        o / k3 == c ? raw.scalars[((y * kw + x) * k2 + c) * k3 + o % k3] : nil
                    }
                }
                let padding: Int
                switch settings["padding"] as? String ?? "valid" {
                case "valid": padding = 0
                case "same" where strides[0] == 1 && kernel.shape[0] == kernel.shape[1] && kernel.shape[0] % 2 == 1: padding = kernel.shape[0] / 2
                default: throw fail("padding \(settings["padding"] ?? "?") with kernel \(kernel.shape[0])×\(kernel.shape[1]) and stride \(strides[0]) pads unevenly; not supported")
                }
                b.noteStructure(groups: kind == "Conv2D" ? groups : k2, dilation: dilation[0], kernel: kernel.shape, place: place)
                if kind == "SeparableConv2D" {
                    guard let pointwise = found["pointwise_kernel"], pointwise.shape.count == 4, pointwise.shape[2] == kernel.shape[3] else {
                        throw fail("no pointwise kernel of \(kernel.shape[3]) input channels")
                    }
                    try b.conv(kernel: kernel, bias: nil, stride: strides[0], padding: padding, place: place + " (depthwise)")
                    try b.conv(kernel: pointwise, bias: found["bias"]?.scalars, stride: 1, padding: 0, place: place + " (pointwise)")
                } else {
                    try b.conv(kernel: kernel, bias: found["bias"]?.scalars, stride: strides[0], padding: padding, place: place)
                }
                try applyActivation(settings["activation"], isLast: isLast, place: place, builder: &b, fail: fail)
            case "BatchNormalization":
                let found = try weights.tensors(layer: name, kind: kind, settings: settings, place: place, file: path)
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
            case "Add":
                guard !others.isEmpty else { throw fail("an Add of one input") }
                try b.add(others, place: place)
            case "Concatenate":
                guard !others.isEmpty else { throw fail("a Concatenate of one input") }
                let axis = settings["axis"] as? Int ?? -1
                guard axis == -1 || axis == b.shape.count else { throw fail("Concatenate along axis \(axis); along the channels (the last axis) is supported") }
                try b.concat(others, place: place)
            default:
                throw fail("layer class \(kind) is not supported (supported: \(layerClasses.joined(separator: ", ")))")
            }
            values[name] = b.current
            builder = b
        }
        guard var builder else { throw ModelImportError(file: path, "the model has no layers") }
        if let graph {
            guard let output = values[graph.output] else { throw ModelImportError(file: path, "no layer computes the model's output '\(graph.output)'") }
            builder.current = output
        }
        return try builder.finish(format: .keras, inputShape: builder.inputShape, inputLayout: builder.inputShape.count == 3 ? .nhwc : .flat, sha256: sha256)
    }

    static func sizes(_ list: [Any]) -> [Int] { list.map { ($0 as? Int) ?? -1 } }

    /// The builder at a model's input (`[batch, features]` or `[batch, h, w, c]`).
    private static func start(_ shape: [Int], path: String, origin: String) throws -> ImportBuilder {
        guard shape.count == 2 || shape.count == 4, shape.dropFirst().allSatisfy({ $0 > 0 && $0 <= 1 << 24 }) else {
            throw ModelImportError(file: path, "no fixed input shape ([batch, features] or [batch, h, w, c]) in \(origin)")
        }
        return try ImportBuilder(file: path, inputShape: Array(shape.dropFirst()), sourceIsNCHW: false)
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
            // Keras 3 names hard swish `hard_silu` (alias `hard_swish`); its `gelu` is the erf form.
            // `hard_sigmoid` is not read: Keras 2's was 0.2x + ½, Keras 3's relu6(x + 3)/6.
            guard let activation = Activation(rawValue: ["hard_silu": "hardswish", "hard_swish": "hardswish"][name] ?? name),
                  activation != .hardsigmoid, activation != .geluTanh else {
                throw fail("activation \(name) is not supported (supported: \(Activation.allCases.map(\.rawValue).joined(separator: ", ")), softmax last)")
            }
            try builder.activation(activation, place: place)
        }
    }
}
