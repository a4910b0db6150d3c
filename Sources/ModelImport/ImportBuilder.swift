import Datasets
import Networks
import Tensor

/// Collects an imported network node by node, in the lab's conventions, checking each
/// layer against the shape that reaches it: the state both importers share.
///
/// It works on a cursor, ``current``: the value the next layer consumes. A chain moves it
/// along; a graph (ONNX) sets it to a node's input before each node and keeps each
/// output's value by name, and merges (``add(_:place:)``, ``concat(_:place:)``) take
/// further values. It folds an activation, a bias or a batch normalisation into the
/// Dense or Conv2D that computes the current value when nothing else consumes that
/// value, and it remembers a flatten of NCHW feature maps: the source flattens
/// channel-major `(c, y, x)`, the lab flattens NHWC `(y, x, c)`, so the next Dense layer's
/// weight rows are reordered.
struct ImportBuilder {
    /// What flows along one edge of the source's graph.
    struct Value {
        /// The lab node that computes it (−1: the model's input).
        var node: Int
        /// One sample's shape as the lab holds it.
        var shape: [Int]
        /// For images: whether the source's view of it is NCHW (the lab's is NHWC).
        var sourceIsNCHW: Bool
        /// After a flatten of NCHW maps: row `i` of the lab's flat vector is row
        /// `rowOrder[i]` of the source's.
        var rowOrder: [Int]?
        /// Whether its node can take a bias, normalisation or activation: a Dense or Conv2D
        /// that has none yet, whose output only this path consumes.
        var canFold: Bool
    }

    let file: String
    /// The nodes so far, in the lab's one description, each one's inputs (node indices,
    /// −1 for the model's input) and parameters.
    private(set) var layers: [LayerSpec] = []
    private(set) var inputs: [[Int]] = []
    private(set) var parameters: [[Tensor]] = []
    /// Where each node comes from in the source (its node or layer), for errors.
    private var places: [String] = []
    /// The value the next layer consumes.
    var current: Value
    /// One sample's shape at the input.
    let inputShape: [Int]
    var notes: [String] = []
    /// Places whose kernel holds structural zeros (``ImportedModel/structuralZeros``).
    var structuralZeros: [String] = []

    /// One sample's shape of the current value.
    var shape: [Int] { current.shape }
    /// Whether the source holds the current value as NCHW.
    var sourceIsNCHW: Bool {
        get { current.sourceIsNCHW }
        set { current.sourceIsNCHW = newValue }
    }

    /// The most layers an imported model may have (the lab's limit for any model).
    static let maximumLayers = 256
    /// The sizes every model is held to (``ModelBudget``): weights counted before each
    /// layer's are converted, every layer's sample shape checked with overflow-safe products.
    private var budget = ModelBudget()

    init(file: String, inputShape: [Int], sourceIsNCHW: Bool) throws(ModelImportError) {
        self.file = file
        self.inputShape = inputShape
        current = Value(node: -1, shape: inputShape, sourceIsNCHW: sourceIsNCHW, rowOrder: nil, canFold: false)
        try Self.checkSize(inputShape, file: file, place: "the input")
    }

    /// The number of values of one sample of `shape` (``ModelBudget/values(_:layer:)``).
    @discardableResult
    static func checkSize(_ shape: [Int], file: String, place: String) throws(ModelImportError) -> Int {
        do { return try ModelBudget.values(shape, layer: place) } catch { throw ModelImportError(file: file, "\(place): \(error.reason)") }
    }

    /// Counts a layer's weights before they are built (``ModelBudget/add(layer:weightShape:biases:)``).
    private mutating func countWeights(_ shape: [Int], biases: Int, _ place: String) throws(ModelImportError) {
        do { try budget.add(layer: place, weightShape: shape, biases: biases) } catch { throw self.error(place, error.reason) }
    }

    /// Refuses a non-finite value among `values` (a weight of 1e300 stored as double
    /// becomes infinite as float; a NaN scale multiplies into every weight).
    private func checkFinite(_ values: [Float], _ what: String, _ place: String) throws(ModelImportError) {
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw error(place, "\(what) holds a non-finite value (\(values[bad]) at element \(bad)); the lab imports finite weights only")
        }
    }

    func error(_ place: String, _ reason: String) -> ModelImportError {
        ModelImportError(file: file, "\(place): \(reason)")
    }

    mutating func append(_ layer: LayerSpec, _ weights: [Tensor] = [], output: [Int], foldable: Bool,
                                 more: [Value] = [], place: String) throws(ModelImportError) {
        guard layers.count < Self.maximumLayers else {
            throw ModelImportError(file: file, "more than \(Self.maximumLayers) layers")
        }
        try Self.checkSize(output, file: file, place: "layer \(layers.count + 1)")
        layers.append(layer)
        places.append(place)
        inputs.append([current.node] + more.map(\.node))
        parameters.append(weights)
        current.node = layers.count - 1
        current.shape = output
        current.canFold = foldable
    }

    private func checked(_ layer: some Networks.Layer, _ place: String) throws(ModelImportError) -> [Int] {
        do { return try layer.outputShape(for: shape) } catch { throw self.error(place, error.reason) }
    }

    /// A fully connected layer; `weights` is `[in, out]` with rows in the source's order.
    mutating func dense(weights: [Float], inputs: Int, outputs: Int, bias: [Float]?, place: String) throws(ModelImportError) {
        guard shape.count == 1 else { throw error(place, "a fully connected layer needs flat inputs, but gets \(shape) (flatten first)") }
        guard inputs == shape[0] else { throw error(place, "has \(inputs) inputs, but the layer before gives \(shape[0])") }
        guard inputs > 0, outputs > 0, inputs.multipliedReportingOverflow(by: outputs) == (weights.count, false) else {
            throw error(place, "has weights of the wrong size")
        }
        try countWeights([inputs, outputs], biases: outputs, place)
        try checkFinite(weights, "the weights", place)
        if let bias { try checkFinite(bias, "the bias", place) }
        var w = weights
        if let order = current.rowOrder, order.count == inputs {
            for row in 0..<inputs {
                for column in 0..<outputs { w[row * outputs + column] = weights[order[row] * outputs + column] }
            }
            current.rowOrder = nil
        }
        let b = bias ?? [Float](repeating: 0, count: outputs)
        guard b.count == outputs else { throw error(place, "has \(b.count) biases for \(outputs) outputs") }
        try append(.dense(units: outputs, activation: .linear), [Tensor(shape: [inputs, outputs], scalars: w), Tensor(shape: [outputs], scalars: b)],
                   output: [outputs], foldable: true, place: place)
    }

    /// Adds `bias` to the Dense or Conv2D just added (ONNX MatMul then Add).
    mutating func addBias(_ bias: [Float], place: String) throws(ModelImportError) {
        try checkFinite(bias, "the added bias", place)
        guard let last = foldTarget(outputs: bias.count) else {
            throw error(place, "adds a tensor of \(bias.count) values that is not the bias of the layer before (only a bias after MatMul or Conv is supported)")
        }
        for i in 0..<bias.count { parameters[last][1].scalars[i] += bias[i] }
    }

    /// The index of the last layer when a bias, batch normalisation or activation can be
    /// folded into it: a Dense or Conv2D without an activation yet, with `outputs`
    /// outputs (any number when nil).
    private func foldTarget(outputs: Int? = nil) -> Int? {
        let last = current.node
        guard current.canFold, layers.indices.contains(last), layers[last].activation == .linear else { return nil }
        switch layers[last] {
        case .dense(let units, _), .conv2d(let units, _, _, _, _):
            return outputs == nil || outputs == units ? last : nil
        case .maxpool2d, .avgpool2d, .flatten, .activation, .add, .concat:
            return nil
        }
    }

    /// Inference batch normalisation folded into the Dense or Conv2D just before it:
    /// y = γ (z − μ)/√(σ² + ε) + β, so each output column j of the weights is scaled by
    /// s_j = γ_j/√(σ_j² + ε) and the bias becomes s_j (b_j − μ_j) + β_j.
    mutating func batchNormalization(scale: [Float], shift: [Float], mean: [Float], variance: [Float], epsilon: Float,
                                     place: String) throws(ModelImportError) {
        let n = scale.count
        guard n > 0, shift.count == n, mean.count == n, variance.count == n, epsilon.isFinite, epsilon >= 0,
              variance.allSatisfy({ $0 + epsilon > 0 }) else {
            throw error(place, "batch normalisation parameters of different or zero sizes, a non-positive variance or an epsilon of \(epsilon)")
        }
        for (values, what) in [(scale, "the scale"), (shift, "the shift"), (mean, "the mean"), (variance, "the variance")] {
            try checkFinite(values, what, place)
        }
        let s = (0..<n).map { scale[$0] / (variance[$0] + epsilon).squareRoot() }
        try checkFinite(s, "the scale over the standard deviation", place)
        func folded(_ w: Tensor, _ b: Tensor) -> (Tensor, Tensor) {
            var w = w, b = b
            for i in 0..<(w.count / n) { for j in 0..<n { w.scalars[i * n + j] *= s[j] } }
            for j in 0..<n { b.scalars[j] = s[j] * (b.scalars[j] - mean[j]) + shift[j] }
            return (w, b)
        }
        guard let last = foldTarget(outputs: n) else {
            throw error(place, "batch normalisation is supported directly after a fully connected or convolution layer (it is folded into it)")
        }
        let (fw, fb) = folded(parameters[last][0], parameters[last][1])
        try checkFinite(fw.scalars + fb.scalars, "the \(layers[last].kind == .conv2d ? "kernel" : "weights") with batch normalisation folded in", place)
        parameters[last] = [fw, fb]
        notes.append("\(place) folded into the layer before (inference statistics)")
    }

    /// A convolution; `kernel` is `[kh, kw, cin, cout]`.
    mutating func conv(kernel: Tensor, bias: [Float]?, stride: Int, padding: Int, place: String) throws(ModelImportError) {
        guard kernel.rank == 4, kernel.shape.allSatisfy({ $0 > 0 }) else {
            throw error(place, "a kernel of shape \(kernel.shape); [kh, kw, cin, cout] with every size at least 1 is needed")
        }
        let filters = kernel.shape[3]
        if let bias, bias.count != filters { throw error(place, "has \(bias.count) biases for \(filters) filters") }
        guard stride >= 1, padding >= 0 else { throw error(place, "stride \(stride) and padding \(padding); stride ≥ 1 and padding ≥ 0 are needed") }
        try countWeights(kernel.shape, biases: filters, place)
        try checkFinite(kernel.scalars, "the kernel", place)
        if let bias { try checkFinite(bias, "the bias", place) }
        let b = Tensor(shape: [filters], scalars: bias ?? [Float](repeating: 0, count: filters))
        let layer = Conv2D(name: place, kernel: kernel, bias: b, stride: stride, padding: padding)
        let output = try checked(layer, place)
        try append(.conv2d(filters: filters, kernel: [kernel.shape[0], kernel.shape[1]], stride: stride, padding: padding, activation: .linear),
                   [kernel, b], output: output, foldable: true, place: place)
    }

    mutating func pool(maximum: Bool, size: Int, stride: Int, place: String) throws(ModelImportError) {
        let output = maximum ? try checked(MaxPool2D(name: place, size: size, stride: stride), place)
                             : try checked(AvgPool2D(name: place, size: size, stride: stride), place)
        try append(maximum ? .maxpool2d(size: size, stride: stride) : .avgpool2d(size: size, stride: stride), output: output, foldable: false, place: place)
    }

    /// Flattens feature maps (a no-op on flat inputs).
    mutating func flatten(place: String) throws(ModelImportError) {
        guard shape.count == 3 else { return }
        let (h, w, c) = (shape[0], shape[1], shape[2])
        if sourceIsNCHW && c > 1 && h * w > 1 {
            var order = [Int](repeating: 0, count: h * w * c)
            for y in 0..<h { for x in 0..<w { for ch in 0..<c { order[(y * w + x) * c + ch] = (ch * h + y) * w + x } } }
            current.rowOrder = order
        }
        let count = try Self.checkSize(shape, file: file, place: place)
        try append(.flatten, output: [count], foldable: false, place: place)
    }

    /// An element-wise activation: folded into the layer before when that has none.
    mutating func activation(_ activation: Activation, place: String) throws(ModelImportError) {
        // GELU and hard swish need their input for the gradient: a layer of their own.
        if !activation.needsInput, let last = foldTarget() {
            switch layers[last] {
            case .dense(let units, _): layers[last] = .dense(units: units, activation: activation)
            case .conv2d(let filters, let kernel, let stride, let padding, _):
                layers[last] = .conv2d(filters: filters, kernel: kernel, stride: stride, padding: padding, activation: activation)
            case .maxpool2d, .avgpool2d, .flatten, .activation, .add, .concat: break
            }
            current.canFold = false
            return
        }
        try append(.activation(activation), output: shape, foldable: false, place: place)
    }

    /// The model; its last layer must give the logits.
    func finish(format: ImportedModel.Format, inputShape: [Int], inputLayout: ImageLayoutHint, sha256: String) throws(ModelImportError) -> ImportedModel {
        guard case .dense(_, let activation)? = layers.last else {
            throw ModelImportError(file: file, "the model must end in a fully connected layer giving the logits (optionally followed by softmax); it ends in \(layers.last?.kind.rawValue ?? "nothing")")
        }
        guard activation == .linear else {
            throw ModelImportError(file: file, "the last layer applies \(activation.rawValue); the lab explains and analyses logits, so the last layer must be linear (a final softmax is dropped)")
        }
        guard current.rowOrder == nil else { throw ModelImportError(file: file, "flattened feature maps reach the output without a fully connected layer") }
        guard current.node == layers.count - 1 else {
            throw ModelImportError(file: file, "the graph's output is not computed by its last node")
        }
        // Every node leads to the output: a branch that does not would be computed,
        // recorded and explained for nothing.
        var used = Set([layers.count - 1])
        for index in layers.indices.reversed() where used.contains(index) { used.formUnion(inputs[index].filter { $0 >= 0 }) }
        if let unused = layers.indices.first(where: { !used.contains($0) }) {
            throw ModelImportError(file: file, "\(places[unused]): its output does not lead to the graph's output; a branch that ends nowhere is not supported")
        }
        var model = ImportedModel(format: format, architecture: Self.description(inputShape: inputShape, specs: layers, inputs: inputs),
                                  parameters: parameters, inputLayout: inputLayout.layout, notes: notes, sha256: sha256)
        model.structuralZeros = structuralZeros
        return model
    }

    /// The nodes named as the lab names a chain (``ModelDescription/chain(inputShape:specs:)``:
    /// by kind and order, the last `output`), each naming the nodes it consumes.
    static func description(inputShape: [Int], specs: [LayerSpec], inputs: [[Int]]) -> ModelDescription {
        let names = ModelDescription.chain(inputShape: inputShape, specs: specs).nodes.map(\.name)
        let nodes = zip(specs.indices, specs).map { index, spec in
            ModelDescription.Node(name: names[index], spec: spec, inputs: inputs[index].map { $0 < 0 ? ModelDescription.modelInput : names[$0] })
        }
        return ModelDescription(inputShape: inputShape, nodes: nodes)
    }
}

/// The axis order of an image input, when the input is an image.
enum ImageLayoutHint {
    case flat, nchw, nhwc

    var layout: ImageLayout? {
        switch self {
        case .flat: nil
        case .nchw: .nchw
        case .nhwc: .nhwc
        }
    }
}
