import Networks
import Tensor

/// A node's attributes by name.
struct ONNXAttributes {
    var byName: [String: Onnx_AttributeProto] = [:]

    init(_ node: Onnx_NodeProto) {
        for attribute in node.attribute { byName[attribute.name] = attribute }
    }

    func ints(_ name: String) -> [Int]? { byName[name].map { $0.ints.map { Int(clamping: $0) } } }
    func int(_ name: String) -> Int? { byName[name].map { Int(clamping: $0.i) } }
    func float(_ name: String) -> Float? { byName[name].map(\.f) }
    /// A float attribute that must be finite (a scale, a slope, an epsilon).
    func finite(_ name: String, default value: Float, _ fail: (String) -> ModelImportError) throws(ModelImportError) -> Float {
        let v = float(name) ?? value
        guard v.isFinite else { throw fail("attribute '\(name)' = \(v); a finite value is needed") }
        return v
    }
    func string(_ name: String) -> String? { byName[name].map { String(decoding: $0.s, as: UTF8.self) } }
    var names: Set<String> { Set(byName.keys) }
}

extension ONNXGraph {
    /// Adds one node's layer (or none) to `builder`.
    /// `main` is the computed input the node works on (``ImportBuilder/current``),
    /// `others` the node's further computed inputs (a merge's), in order.
    func apply(_ node: Onnx_NodeProto, main: String, others: [ImportBuilder.Value], place: String, isLast: Bool, index: Int,
               builder: inout ImportBuilder) throws(ModelImportError) {
        let a = ONNXAttributes(node)
        func fail(_ reason: String) -> ModelImportError { ModelImportError(file: file, "\(place): \(reason)") }
        func allowOnly(_ allowed: Set<String>) throws(ModelImportError) {
            if let extra = a.names.subtracting(allowed).sorted().first { throw fail("attribute '\(extra)' is not supported") }
        }
        switch node.opType {
        case "Identity":
            return
        case "Dropout":
            builder.notes.append("\(place) skipped (dropout does nothing at inference)")
        case "Relu": try builder.activation(.relu, place: place)
        case "Tanh": try builder.activation(.tanh, place: place)
        case "Sigmoid": try builder.activation(.sigmoid, place: place)
        case "Softplus": try builder.activation(.softplus, place: place)
        case "Softsign": try builder.activation(.softsign, place: place)
        case "Clip":
            // ReLU (min 0) and ReLU6 (min 0, max 6): bounds as inputs (opset ≥ 11) or attributes.
            func bound(_ position: Int, _ attribute: String) throws(ModelImportError) -> Float? {
                if node.input.count > position, !node.input[position].isEmpty {
                    let values = try tensor(node.input[position], place).floats
                    guard values.count == 1 else { throw fail("a Clip bound of \(values.count) values; one is supported") }
                    return values[0]
                }
                return a.float(attribute)
            }
            switch (try bound(1, "min"), try bound(2, "max")) {
            case (0?, nil): try builder.activation(.relu, place: place)
            case (0?, 6?): try builder.activation(.relu6, place: place)
            case (let low, let high):
                throw fail("Clip to [\(low.map { "\($0)" } ?? "−∞"), \(high.map { "\($0)" } ?? "∞")]; Clip to [0, ∞) (ReLU) and [0, 6] (ReLU6) are supported")
            }
        case "HardSigmoid":
            // PyTorch's and Keras 3's relu6(x + 3)/6: α = 1/6, β = ½ (ONNX's defaults, 0.2 and ½, are TensorFlow 1's).
            let alpha = try a.finite("alpha", default: 0.2, fail), beta = try a.finite("beta", default: 0.5, fail)
            guard abs(alpha - 1 / 6) < 1e-6, beta == 0.5 else {
                throw fail("HardSigmoid with α = \(alpha), β = \(beta); α = 1/6, β = ½ (PyTorch's nn.Hardsigmoid) is supported")
            }
            try builder.activation(.hardsigmoid, place: place)
        case "HardSwish": try builder.activation(.hardswish, place: place)
        case "Gelu":
            switch a.string("approximate") ?? "none" {
            case "none": try builder.activation(.gelu, place: place)
            case "tanh": try builder.activation(.geluTanh, place: place)
            case let other: throw fail("Gelu with approximate = '\(other)'; 'none' and 'tanh' are supported")
            }
        case "LeakyRelu":
            let alpha = try a.finite("alpha", default: 0.01, fail)
            guard abs(alpha - Activation.leakySlope) < 1e-7 else {
                throw fail("attribute 'alpha' = \(alpha); LeakyRelu with slope 0.01 (PyTorch's default) is supported")
            }
            try builder.activation(.leakyRelu, place: place)
        case "Elu":
            guard try a.finite("alpha", default: 1, fail) == 1 else { throw fail("attribute 'alpha' = \(a.float("alpha") ?? 1); ELU with α = 1 is supported") }
            try builder.activation(.elu, place: place)
        case "Softmax", "LogSoftmax":
            guard isLast else { throw fail("\(node.opType) is supported only as the last node (the lab works on logits)") }
            let axis = a.int("axis") ?? -1
            guard builder.shape.count == 1, axis == 1 || axis == -1 else { throw fail("\(node.opType) over axis \(axis) of a \(builder.shape) tensor; over the classes is supported") }
            builder.notes.append("the final \(node.opType) is dropped: explanations and I(T;Y) use the logits")
        case "Transpose":
            let perm = a.ints("perm") ?? []
            guard builder.shape.count == 3 else { throw fail("Transpose of a flat tensor is not supported") }
            if perm == [0, 3, 1, 2] && !builder.sourceIsNCHW { builder.sourceIsNCHW = true }
            else if perm == [0, 2, 3, 1] && builder.sourceIsNCHW { builder.sourceIsNCHW = false }
            else { throw fail("Transpose with perm \(perm); only NHWC ↔ NCHW is supported") }
        case "Flatten":
            guard (a.int("axis") ?? 1) == 1 else { throw fail("attribute 'axis' = \(a.int("axis") ?? 1); Flatten from axis 1 is supported") }
            try builder.flatten(place: place)
        case "Reshape":
            guard node.input.count == 2 else { throw fail("Reshape without a shape input (opset ≥ 5 is supported)") }
            let target = try tensor(node.input[1], place).values.map { (value: Double) throws(ModelImportError) -> Int in
                guard let size = Int(exactly: value), size >= -1, size <= ModelBudget.maximumValuesPerSample else {
                    throw fail("Reshape to a size of \(value); sizes are whole numbers from -1 to \(ModelBudget.maximumValuesPerSample)")
                }
                return size
            }
            let features = try ImportBuilder.checkSize(builder.shape, file: file, place: place)
            guard target.count == 2, target[1] == -1 || target[1] == features else {
                throw fail("Reshape to \(target); only a flatten to [batch, \(features)] is supported")
            }
            try builder.flatten(place: place)
        case "Gemm":
            try allowOnly(["alpha", "beta", "transA", "transB"])
            guard (a.int("transA") ?? 0) == 0 else { throw fail("attribute 'transA' = 1 is not supported") }
            guard node.input.count >= 2 else { throw fail("Gemm without weights") }
            let b = try tensor(node.input[1], place)
            guard b.dims.count == 2 else { throw fail("weights of shape \(b.dims); a matrix is needed") }
            let transposed = (a.int("transB") ?? 0) == 1
            let (inputs, outputs) = transposed ? (b.dims[1], b.dims[0]) : (b.dims[0], b.dims[1])
            let alpha = try a.finite("alpha", default: 1, fail), beta = try a.finite("beta", default: 1, fail)
            var w = [Float](repeating: 0, count: inputs * outputs)
            let values = b.floats
            for i in 0..<inputs { for o in 0..<outputs { w[i * outputs + o] = alpha * (transposed ? values[o * inputs + i] : values[i * outputs + o]) } }
            var bias: [Float]?
            if node.input.count >= 3, !node.input[2].isEmpty {
                let c = try tensor(node.input[2], place)
                guard c.count == outputs || c.count == 1 else { throw fail("a bias of shape \(c.dims) for \(outputs) outputs") }
                bias = c.count == outputs ? c.floats.map { beta * $0 } : [Float](repeating: beta * c.floats[0], count: outputs)
            }
            try builder.dense(weights: w, inputs: inputs, outputs: outputs, bias: bias, place: place)
        case "MatMul":
            guard node.input.count == 2 else { throw fail("MatMul needs two inputs") }
            let b = try tensor(node.input[1], place)
            guard b.dims.count == 2 else { throw fail("weights of shape \(b.dims); a matrix is needed") }
            try builder.dense(weights: b.floats, inputs: b.dims[0], outputs: b.dims[1], bias: nil, place: place)
        case "Add", "Sum":
            if !others.isEmpty {
                guard others.count == node.input.count - 1 else { throw fail("adds computed tensors and weights together; not supported") }
                try builder.add(others, place: place)
            } else {
                guard node.opType == "Add", let bias = node.input.first(where: { $0 != main }) else { throw fail("\(node.opType) of one tensor with itself is not supported") }
                try builder.addBias(try tensor(bias, place).floats, place: place)
            }
        case "Concat":
            guard others.count == node.input.count - 1, node.input.first == main else { throw fail("Concat of weights stored in the file is not supported") }
            try allowOnly(["axis"])
            guard let axis = a.int("axis") else { throw fail("Concat without an axis") }
            let rank = builder.shape.count + 1
            let channels = builder.shape.count == 3 ? (builder.sourceIsNCHW ? 1 : 3) : 1
            guard axis == channels || axis + rank == channels else {
                throw fail("Concat along axis \(axis) of a rank-\(rank) tensor; joining channels (or features) is supported")
            }
            try builder.concat(others, place: place)
        case "BatchNormalization":
            try allowOnly(["epsilon", "momentum", "training_mode", "spatial"])
            guard (a.int("training_mode") ?? 0) == 0, node.output.count == 1 || node.output.dropFirst().allSatisfy(\.isEmpty) else {
                throw fail("batch normalisation in training mode is not supported (export the model in eval mode)")
            }
            guard node.input.count == 5 else { throw fail("BatchNormalization needs scale, bias, mean and variance") }
            let values = try node.input.dropFirst().map { (name: String) throws(ModelImportError) -> [Float] in try tensor(name, place).floats }
            try builder.batchNormalization(scale: values[0], shift: values[1], mean: values[2], variance: values[3],
                                           epsilon: try a.finite("epsilon", default: 1e-5, fail), place: place)
        case "Conv":
            try allowOnly(["auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"])
            guard builder.sourceIsNCHW else { throw fail("Conv of a tensor the graph holds as NHWC") }
            let w = try tensor(node.input[1], place)
            guard w.dims.count == 4 else { throw fail("a 2-D convolution needs a [cout, cin, kh, kw] kernel, this one has dims \(w.dims)") }
            let (cout, cinPerGroup, kh, kw) = (w.dims[0], w.dims[1], w.dims[2], w.dims[3])
            // Grouped (depthwise) and dilated convolutions become an ordinary convolution whose
            // kernel is zero off the groups' blocks and between the dilated taps: the same
            // outputs, gradients and LRP maps (a zero weight adds nothing to z, z⁺ or z^B).
            let groups = a.int("group") ?? 1
            let dilation = try square(a.ints("dilations") ?? [1, 1], "dilations", fail)
            guard groups >= 1, groups <= 4096, cout % groups == 0 else {
                throw fail("group \(groups) with \(cout) output channels; groups dividing the output channels are supported")
            }
            let cin = cinPerGroup * groups, coutPerGroup = cout / groups, values = w.floats
            let kernel = try builder.structuredKernel(kh: kh, kw: kw, cin: cin, cout: cout, dilation: dilation, place: place) { o, c, y, x in
                let group = o / coutPerGroup
                guard c / cinPerGroup == group else { return nil }
                return values[((o * cinPerGroup + c % cinPerGroup) * kh + y) * kw + x]
            }
            let stride = try square(a.ints("strides") ?? [1, 1], "strides", fail)
            let padding = try self.padding(a, kernel: (kernel.shape[0], kernel.shape[1]), stride: stride, fail)
            builder.noteStructure(groups: groups, dilation: dilation, kernel: kernel.shape, place: place)
            let bias = node.input.count >= 3 && !node.input[2].isEmpty ? try tensor(node.input[2], place).floats : nil
            try builder.conv(kernel: kernel, bias: bias, stride: stride, padding: padding, place: place)
        case "GlobalAveragePool", "GlobalMaxPool":
            // Over the whole (square) map: a pool of the map's size, leaving [1, 1, channels].
            guard builder.shape.count == 3, builder.shape[0] == builder.shape[1] else {
                throw fail("global pooling of a \(builder.shape) tensor; square feature maps are supported")
            }
            try builder.pool(maximum: node.opType == "GlobalMaxPool", size: builder.shape[0], stride: builder.shape[0], place: place)
        case "ReduceMean":
            // The dynamo exporter's AdaptiveAvgPool2d(1) / mean over the spatial axes: a
            // global average pool (keepdims 0 also flattens the 1×1 maps away).
            try allowOnly(["axes", "keepdims", "noop_with_empty_axes"])
            let axes = node.input.count >= 2 && !node.input[1].isEmpty
                ? try tensor(node.input[1], place).values.map { (value: Double) throws(ModelImportError) -> Int in
                    guard let axis = Int(exactly: value), (-4...3).contains(axis) else { throw fail("ReduceMean over axis \(value)") }
                    return axis
                }
                : a.ints("axes") ?? []
            let spatial: Set<Int> = builder.sourceIsNCHW ? [2, 3] : [1, 2]
            guard builder.shape.count == 3, Set(axes.map { $0 < 0 ? $0 + 4 : $0 }) == spatial, axes.count == 2 else {
                throw fail("ReduceMean over axes \(axes) of a \(builder.shape) tensor; the mean over the spatial axes (global average pooling) is supported")
            }
            guard builder.shape[0] == builder.shape[1] else { throw fail("global pooling of a \(builder.shape) tensor; square feature maps are supported") }
            try builder.pool(maximum: false, size: builder.shape[0], stride: builder.shape[0], place: place)
            if (a.int("keepdims") ?? 1) == 0 { try builder.flatten(place: place) }
        case "MaxPool", "AveragePool":
            try allowOnly(["auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "storage_order", "strides"])
            guard node.output.count == 1 || node.output[1].isEmpty else { throw fail("pooling that also returns indices is not supported") }
            guard (a.ints("dilations") ?? [1, 1]).allSatisfy({ $0 == 1 }) else { throw fail("dilated pooling is not supported") }
            guard (a.ints("pads") ?? []).allSatisfy({ $0 == 0 }), ["NOTSET", "VALID"].contains(a.string("auto_pad") ?? "NOTSET") else {
                throw fail("padded pooling (pads \(a.ints("pads") ?? []), auto_pad \(a.string("auto_pad") ?? "NOTSET")) is not supported")
            }
            let size = try square(a.ints("kernel_shape") ?? [], "kernel_shape", fail)
            let stride = try square(a.ints("strides") ?? [1, 1], "strides", fail)
            if (a.int("ceil_mode") ?? 0) == 1, builder.shape.count == 3,
               (builder.shape[0] - size) % stride != 0 || (builder.shape[1] - size) % stride != 0 {
                throw fail("ceil_mode 1 changes the output size here; floor (ceil_mode 0) is supported")
            }
            try builder.pool(maximum: node.opType == "MaxPool", size: size, stride: stride, place: place)
        default:
            throw fail("operator \(node.opType) is not supported (supported: \(ONNXImporter.operators.joined(separator: ", ")))")
        }
    }

    /// The one value of a pair that must be equal in both axes.
    private func square(_ pair: [Int], _ name: String, _ fail: (String) -> ModelImportError) throws(ModelImportError) -> Int {
        guard pair.count == 2, pair[0] == pair[1], pair[0] >= 1, pair[0] <= 1024 else {
            throw fail("attribute '\(name)' = \(pair); equal values for height and width are supported")
        }
        return pair[0]
    }

    /// Zero padding, the same on all four sides (explicit `pads`, VALID, or SAME where
    /// that is symmetric: stride 1 and an odd kernel).
    private func padding(_ a: ONNXAttributes, kernel: (Int, Int), stride: Int, _ fail: (String) -> ModelImportError) throws(ModelImportError) -> Int {
        switch a.string("auto_pad") ?? "NOTSET" {
        case "NOTSET":
            let pads = a.ints("pads") ?? [0, 0, 0, 0]
            guard pads.count == 4, Set(pads).count == 1, pads[0] >= 0, pads[0] <= 1024 else {
                throw fail("attribute 'pads' = \(pads); the same padding on all four sides is supported")
            }
            return pads[0]
        case "VALID":
            return 0
        default:
            guard stride == 1, kernel.0 == kernel.1, kernel.0 % 2 == 1 else {
                throw fail("auto_pad \(a.string("auto_pad") ?? "") with stride \(stride) and kernel \(kernel.0)×\(kernel.1) pads unevenly; not supported")
            }
            return kernel.0 / 2
        }
    }
}
