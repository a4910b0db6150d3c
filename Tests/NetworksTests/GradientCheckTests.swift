import Foundation
@testable import Networks
import PropertyBased
import Tensor
import Testing
import RealModule

/// Every layer's forward pass against the double-precision reference, and its
/// analytic backward pass against central finite differences of that reference.
@Suite("Gradient checks")
struct GradientCheckTests {
    /// A random input tensor and its Double copy.
    static func randomInput(_ shape: [Int], rng: inout SeededRNG) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in rng.uniform(-1.5, 1.5) })
    }

    /// Checks `layer` on a batch of input shape `inShape`: forward vs reference, and
    /// backward (input and parameter gradients) vs finite differences of
    /// `L = Σ r ⊙ y` for a random `r`.
    static func check(_ layer: any Layer, batch: Int, inShape: [Int], rng: inout SeededRNG) throws {
        let x = randomInput([batch] + inShape, rng: &rng)
        let outShape = try layer.outputShape(for: inShape)
        let trace = layer.forward(x)
        #expect(trace.output.shape == [batch] + outShape)
        let xd = x.scalars.map(Double.init)
        let pd = layer.parameters.map { $0.scalars.map(Double.init) }
        let reference = DoubleReference.forward(layer, x: xd, batch: batch, inShape: inShape, parameters: pd)
        #expect(agreement(trace.output.scalars.map(Double.init), reference, rtol: 1e-5, atol: 1e-5) <= 1,
                "\(layer.kind) \(layer.activation) forward")

        let r = (0..<trace.output.count).map { _ in Double(rng.uniform(-1, 1)) }
        let (dx, dParams) = layer.backward(Tensor(shape: trace.output.shape, scalars: r.map(Float.init)),
                                           trace: trace, needsInputGradient: true)
        func loss(_ y: [Double]) -> Double { zip(y, r).reduce(0) { $0 + $1.0 * $1.1 } }
        let numericX = DoubleReference.gradient(at: xd) {
            loss(DoubleReference.forward(layer, x: $0, batch: batch, inShape: inShape, parameters: pd))
        }
        #expect(agreement(try #require(dx).scalars.map(Double.init), numericX) <= 1,
                "\(layer.kind) \(layer.activation) input gradient")
        for p in pd.indices {
            let numeric = DoubleReference.gradient(at: pd[p]) { value in
                var params = pd
                params[p] = value
                return loss(DoubleReference.forward(layer, x: xd, batch: batch, inShape: inShape, parameters: params))
            }
            #expect(agreement(dParams[p].scalars.map(Double.init), numeric) <= 1,
                    "\(layer.kind) \(layer.activation) gradient of parameter \(p)")
        }
    }

    /// The `fused` arithmetic's kernels: the same checks, widths up to 20 (three vectors).
    @Test(arguments: [Activation.tanh, .relu, .linear])
    func denseFused(_ activation: Activation) async {
        await propertyCheck(count: 8, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRNG(seed: UInt64(seed))
            let (batch, n, m) = (1 + rng.int(below: 9), 1 + rng.int(below: 20), 1 + rng.int(below: 20))
            var layer = Dense(name: "d", inputSize: n, outputSize: m, activation: activation, rng: &rng)
            layer.arithmetic = .fused
            layer.parameters[1] = GradientCheckTests.randomInput([m], rng: &rng)
            do { try GradientCheckTests.check(layer, batch: batch, inShape: [n], rng: &rng) } catch { Issue.record(error) }
        }
    }

    /// Every activation a dense layer may apply (GELU and hard swish are layers of their own).
    @Test(arguments: Activation.allCases.filter { !$0.needsInput })
    func denseEveryActivation(_ activation: Activation) async {
        await propertyCheck(count: 8, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRNG(seed: UInt64(seed))
            let (batch, n, m) = (1 + rng.int(below: 5), 1 + rng.int(below: 7), 1 + rng.int(below: 6))
            var layer = Dense(name: "d", inputSize: n, outputSize: m, activation: activation, rng: &rng)
            layer.parameters[1] = GradientCheckTests.randomInput([m], rng: &rng)
            do { try GradientCheckTests.check(layer, batch: batch, inShape: [n], rng: &rng) } catch { Issue.record(error) }
        }
    }

    @Test func conv2DRandomGeometries() async {
        await propertyCheck(count: 12, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRNG(seed: UInt64(seed))
            let kh = 1 + rng.int(below: 3), kw = 1 + rng.int(below: 3)
            let stride = 1 + rng.int(below: 2), padding = rng.int(below: 2)
            let h = kh + rng.int(below: 4), w = kw + rng.int(below: 4)
            let cin = 1 + rng.int(below: 3), cout = 1 + rng.int(below: 3)
            let activation: Activation = [.linear, .relu, .tanh][rng.int(below: 3)]
            var layer = Conv2D(name: "c", kernelSize: (kh, kw), inputChannels: cin, outputChannels: cout,
                               stride: stride, padding: padding, activation: activation, rng: &rng)
            layer.parameters[1] = GradientCheckTests.randomInput([cout], rng: &rng)
            do { try GradientCheckTests.check(layer, batch: 1 + rng.int(below: 3), inShape: [h, w, cin], rng: &rng) } catch { Issue.record(error) }
        }
    }

    @Test func poolingFlattenAndActivationLayers() throws {
        var rng = SeededRNG(seed: 11)
        try Self.check(MaxPool2D(name: "mp", size: 2), batch: 2, inShape: [4, 6, 3], rng: &rng)
        try Self.check(MaxPool2D(name: "mp3", size: 3, stride: 2), batch: 2, inShape: [7, 5, 2], rng: &rng)
        // Eight channels at a time plus a scalar tail: 19 = 8 + 8 + 3.
        try Self.check(MaxPool2D(name: "mpWide", size: 2), batch: 2, inShape: [4, 4, 19], rng: &rng)
        try Self.check(AvgPool2D(name: "ap", size: 2), batch: 2, inShape: [4, 4, 2], rng: &rng)
        try Self.check(AvgPool2D(name: "ap3", size: 3, stride: 1), batch: 1, inShape: [5, 4, 2], rng: &rng)
        try Self.check(Flatten(name: "f"), batch: 3, inShape: [2, 3, 2], rng: &rng)
        for activation in Activation.allCases {
            try Self.check(ActivationLayer(name: "a", activation), batch: 2, inShape: [3, 2], rng: &rng)
        }
    }

    /// ReLU6 saturates on both sides: the derivative is 0 below 0 and above 6 (where the
    /// finite differences of the random checks never reach).
    @Test func relu6ClipsBothWays() {
        var values: [Float] = [-1, 0, 3, 6, 7, .infinity]
        values.withUnsafeMutableBufferPointer { Activation.relu6.apply($0) }
        #expect(values == [0, 0, 3, 6, 6, 6])
        var gradient: [Float] = [1, 1, 1, 1, 1, 1]
        gradient.withUnsafeMutableBufferPointer { g in values.withUnsafeBufferPointer { Activation.relu6.backpropagate(g, output: $0) } }
        #expect(gradient == [0, 0, 1, 0, 0, 0])
    }

    /// The activations whose gradient needs their input, on every branch (hard swish and hard
    /// sigmoid are flat below −3, curved or linear between, and linear or flat above 3;
    /// GELU dips below zero near −0.75): central differences in Double against the
    /// derivative the layer applies, at points away from the kinks.
    @Test(arguments: [Activation.hardswish, .hardsigmoid, .gelu, .geluTanh])
    func activationsOnEveryBranch(_ activation: Activation) throws {
        let z: [Float] = [-6, -3.5, -2.9, -1.5, -0.75, -0.2, 0.3, 1.7, 2.9, 3.2, 5]
        let layer = ActivationLayer(name: "a", activation)
        let trace = layer.forward(Tensor(shape: [1, z.count], scalars: z))
        for (i, value) in z.enumerated() {
            #expect((Double(trace.output.scalars[i])).isApproximatelyEqual(to: DoubleReference.activate(Double(value), activation), absoluteTolerance: 1e-6), "\(activation) at \(value)")
        }
        let gradient = try #require(layer.backward(Tensor(shape: [1, z.count], repeating: 1), trace: trace, needsInputGradient: true).input)
        for (i, value) in z.enumerated() {
            let h = 1e-5, x = Double(value)
            let numeric = (DoubleReference.activate(x + h, activation) - DoubleReference.activate(x - h, activation)) / (2 * h)
            #expect((Double(gradient.scalars[i])).isApproximatelyEqual(to: numeric, absoluteTolerance: 1e-5), "\(activation)′ at \(value): \(gradient.scalars[i]) against \(numeric)")
        }
        // Folded into a dense layer it could not get its input back: the description refuses it.
        if activation.needsInput {
            #expect(throws: NetworkError.self) {
                try LayerSpec.dense(units: 2, activation: activation).build(name: "d", inputShapes: [[3]], weights: .drawn(.zeros, SeededRNG(seed: 0)))
            }
        }
    }

    @Test func maxPoolTiesGoToTheFirstIndex() {
        let layer = MaxPool2D(name: "mp", size: 2)
        let x = Tensor(shape: [1, 2, 2, 1], scalars: [1, 1, 1, 1])
        let trace = layer.forward(x)
        #expect(trace.argmax == [0])
        let dx = layer.backward(Tensor(shape: [1, 1, 1, 1], scalars: [5]), trace: trace, needsInputGradient: true).input
        #expect(dx?.scalars == [5, 0, 0, 0])
        // The same with eight channels (the vectorised path): every lane picks index 0..7.
        let wide = layer.forward(Tensor(shape: [1, 2, 2, 8], repeating: 1))
        #expect(wide.argmax == (0..<8).map(Int32.init))
    }

    /// A small CNN end to end: loss gradient with respect to every parameter and the
    /// input, against finite differences of the reference cross-entropy.
    @Test func wholeModelWithCrossEntropy() throws {
        var rng = SeededRNG(seed: 5)
        var conv = Conv2D(name: "conv", kernelSize: (3, 3), inputChannels: 1, outputChannels: 2, padding: 1,
                          activation: .tanh, rng: &rng)
        conv.parameters[1] = Self.randomInput([2], rng: &rng)
        let model = try Sequential(inputShape: [6, 6, 1], layers: [
            conv,
            MaxPool2D(name: "pool", size: 2),
            Flatten(name: "flatten"),
            Dense(name: "hidden", inputSize: 18, outputSize: 5, activation: .softplus, rng: &rng),
            Dense(name: "logits", inputSize: 5, outputSize: 3, rng: &rng),
        ])
        let batch = 3
        let x = Self.randomInput([batch, 6, 6, 1], rng: &rng)
        let labels: [Int32] = [0, 2, 1]
        try Self.checkWholeModel(model, x: x, labels: labels)
    }

    /// A model (chain or graph) end to end: the cross-entropy, its gradient with respect
    /// to the input and to every parameter, against finite differences of the float64
    /// reference. Returns the forward traces and ∂L/∂logits for further checks.
    @discardableResult
    static func checkWholeModel(_ model: Sequential, x: Tensor, labels: [Int32]) throws -> (traces: [LayerTrace], logitGradient: Tensor, input: Tensor) {
        let batch = x.rows, classes = model.outputSize
        let traces = model.forward(x)
        let (loss, logitGradient) = SoftmaxCrossEntropy().lossAndGradient(logits: traces.last!.output, labels: labels[...])
        let (gradients, dx) = model.backward(logitGradient, traces: traces, needsInputGradient: true)
        let pd = model.layers.map { $0.parameters.map { $0.scalars.map(Double.init) } }
        let xd = x.scalars.map(Double.init)
        func referenceLoss(_ x: [Double], _ params: [[[Double]]]) -> Double {
            DoubleReference.crossEntropy(DoubleReference.forward(model, x: x, batch: batch, parameters: params), labels: labels, classes: classes)
        }
        #expect(loss.isApproximatelyEqual(to: referenceLoss(xd, pd), absoluteTolerance: 1e-5))
        let input = try #require(dx)
        #expect(agreement(input.scalars.map(Double.init), DoubleReference.gradient(at: xd) { referenceLoss($0, pd) }) <= 1)
        for l in pd.indices {
            for p in pd[l].indices {
                let numeric = DoubleReference.gradient(at: pd[l][p]) { value in
                    var params = pd
                    params[l][p] = value
                    return referenceLoss(xd, params)
                }
                #expect(agreement(gradients[l][p].scalars.map(Double.init), numeric) <= 1, "layer \(model.layers[l].name) parameter \(p)")
            }
        }
        return (traces, logitGradient, input)
    }

    @Test func crossEntropyIsStableForHugeLogits() {
        let logits = Tensor(shape: [2, 3], scalars: [1e4, -1e4, 0, 500, 500, 499])
        let (loss, gradient) = SoftmaxCrossEntropy().lossAndGradient(logits: logits, labels: [1, 2][...])
        let reference = DoubleReference.crossEntropy(logits.scalars.map(Double.init), labels: [1, 2], classes: 3)
        #expect(loss.isFinite)
        #expect(abs(loss - reference) / reference < 1e-6)
        #expect(gradient.scalars.allSatisfy { $0.isFinite })
        // Each row of the gradient sums to zero (softmax − one-hot).
        #expect(abs(gradient.scalars[0..<3].reduce(0, +)) < 1e-6)
    }
}
