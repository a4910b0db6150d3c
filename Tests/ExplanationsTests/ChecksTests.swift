import Attribution
import Networks
import Tensor
import Testing
import RealModule

/// Faithfulness scores and the randomisation sanity check, on models where the answer
/// is known.
@Suite("Faithfulness and sanity checks")
struct ChecksTests {
    /// f = (w·x, 0): the contributions x_i w_i are the perfect map. Deleting in their order
    /// makes the logit (and the probability of class 0) fall fastest, so the ordered
    /// AOPC is the largest and the deletion area the smallest of any order; insertion
    /// the reverse.
    @Test func thePerfectMapBeatsRandomOrders() throws {
        var rng = SeededRNG(seed: 21)
        let weights = Tensor(shape: [16, 2], scalars: (0..<32).map { $0 % 2 == 0 ? rng.uniform(-1, 1) : 0 })
        let model = try Sequential(inputShape: [16], layers: [Dense(name: "dense1", weights: weights, bias: Tensor.zeros([2]))])
        let x = Models.inputs(model, count: 4, seed: 21)
        let map = try GradientTimesInput().attribute(model, inputs: x, target: .class(0))
        let scores = try Faithfulness(steps: 16, replacement: .baseline, randomOrders: 5).evaluate(model, inputs: x, attribution: map)
        for b in 0..<4 {
            #expect(scores.aopc[b] >= scores.aopcRandom[b] - 1e-6)
            #expect(scores.deletion[b] <= scores.deletionRandom[b] + 1e-6)
            #expect(scores.insertion[b] >= scores.insertionRandom[b] - 1e-6)
        }
        // The reversed map is the worst order.
        var reversed = map
        reversed.map = Tensor(shape: map.map.shape, scalars: map.map.scalars.map { -$0 })
        let worst = try Faithfulness(steps: 16, replacement: .baseline, randomOrders: 5).evaluate(model, inputs: x, attribution: reversed)
        for b in 0..<4 { #expect(worst.aopc[b] <= scores.aopcRandom[b] + 1e-6) }
    }

    @Test func regionsTileTheImage() throws {
        let model = try Models.cnn(seed: 22)
        let x = Models.inputs(model, count: 2, seed: 22, low: 0, high: 1)
        let map = try GradientTimesInput().attribute(model, inputs: x, target: .predicted)
        let scores = try Faithfulness(region: 3, steps: 9).evaluate(model, inputs: x, attribution: map)
        #expect(scores.aopc.count == 2 && scores.deletion.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(throws: ExplanationError.self) { try Faithfulness(region: 0).evaluate(model, inputs: x, attribution: map) }
    }

    /// Each method declares its maps' units: exactly the decompositions of the logit (LRP,
    /// gradient × input, Integrated Gradients) are compared with it and drawn on a
    /// sample's common scale; the others give their reasons in words.
    @Test func everyMethodDeclaresItsUnits() throws {
        let model = try Models.cnn(seed: 3)
        let context = AttributionCatalog.Context(bounds: (0, 1))
        for name in AttributionCatalog.names {
            let method = try AttributionCatalog.method(name, model: model, context: context)
            let decomposes = name.hasPrefix("lrp:") || name == "gradient_x_input" || name == "integrated_gradients"
            #expect((method.units == .logit) == decomposes, "\(name): \(method.units)")
            #expect(!method.conservationReasons(model: model, bias: .zennit).isEmpty, "\(name)")
        }
    }

    /// A "method" that returns the input ignores the model: randomising layers leaves it
    /// perfectly correlated, the failure the check exists to catch. The gradient does
    /// change.
    @Test func cascadingRandomizationSeparatesModelFromInput() throws {
        struct Identity: AttributionMethod {
            var name: String { "input" }
            var units: AttributionUnits { .score }
            func conservationReasons(model: Sequential, bias: BiasConvention) -> [String] { AttributionUnits.notADecomposition(name) }
            func attribute(_ model: Sequential, inputs: Tensor, target: Target) throws(ExplanationError) -> Attribution {
                Attribution(method: name, map: inputs, targets: target.resolve(model(inputs)), explained: [])
            }
        }
        let model = try Models.cnn(seed: 23)
        let x = Models.inputs(model, count: 4, seed: 23, low: 0, high: 1)
        let check = CascadingRandomization(seed: 1)
        let identity = try check.run(model, inputs: x, method: Identity(), target: .predicted)
        #expect(identity.map(\.layer) == ["dense2", "dense1", "conv2", "conv1"])
        #expect(identity.allSatisfy { $0.spearman.allSatisfy { $0 == 1 } })
        let gradient = try check.run(model, inputs: x, method: Gradient(), target: .predicted)
        let last = try #require(gradient.last)
        let meanAbsolute = last.spearman.map(abs).reduce(0, +) / Double(last.spearman.count)
        #expect(meanAbsolute < 0.5, "\(last.spearman)")
    }
}

/// LRP never presents a gradient as relevance: a layer it has no rule for is a typed
/// error naming the layer.
@Suite("LRP: no rule, no relevance")
struct LRPWithoutRuleTests {
    /// A dense-kind layer that is not an affine layer the rules can modify (what a new
    /// layer type looks like before it is given its rule).
    struct OpaqueDense: Layer {
        var inner: Dense
        var name: String { inner.name }
        var spec: LayerSpec { inner.spec }
        var parameters: [Tensor] {
            get { inner.parameters }
            set { inner.parameters = newValue }
        }
        func outputShape(for inputShape: [Int]) throws(NetworkError) -> [Int] { try inner.outputShape(for: inputShape) }
        func forward(_ input: Tensor) -> LayerTrace { inner.forward(input) }
        func backward(_ outputGradient: Tensor, trace: LayerTrace, needsInputGradient: Bool) -> (input: Tensor?, parameters: [Tensor]) {
            inner.backward(outputGradient, trace: trace, needsInputGradient: needsInputGradient)
        }
    }

    @Test("a layer without a rule is an error naming it, for every composite")
    func missingRuleIsNamed() throws {
        let mlp = try Models.mlp(seed: 3)
        var layers = mlp.layers
        layers[1] = OpaqueDense(inner: layers[1] as! Dense)
        let model = try Sequential(inputShape: mlp.inputShape, layers: layers)
        let inputs = Tensor(shape: [2, 10], scalars: (0..<20).map { Float($0) / 10 - 1 })
        for composite in [Composite.epsilonPlus(), .uniform(.epsilon(0.25))] {
            #expect(throws: ExplanationError(node: "dense2", "a dense layer without an LRP rule in the composite \(composite.name)")) {
                _ = try LayerwiseRelevancePropagation(composite: composite).explain(model, inputs: inputs)
            }
        }
        // The same model explains by gradient methods, whose exact backward pass it has.
        #expect(try Gradient().attribute(model, inputs: inputs, target: .predicted).map.scalars == Gradient().attribute(mlp, inputs: inputs, target: .predicted).map.scalars)
    }
}

/// LRP through residual sums and concatenations: on a ReLU graph without biases, LRP-ε
/// with a vanishing ε is gradient × input at every layer, so the map must equal it; the
/// relevance is conserved from the logit to the input.
@Suite("LRP on graphs")
struct LRPOnGraphsTests {
    static func model() throws -> Sequential {
        let description = try ModelDescription.resolve(inputShape: [6, 6, 2], entries: [
            .init(.conv2d(filters: 3, kernel: [3, 3], stride: 1, padding: 1, activation: .relu)),
            .init(.conv2d(filters: 3, kernel: [3, 3], stride: 1, padding: 1, activation: .relu)),
            .init(.add, name: "residual", inputs: ["conv1", "conv2"]),
            .init(.conv2d(filters: 2, kernel: [1, 1], stride: 1, padding: 0, activation: .relu), name: "side", inputs: ["input"]),
            .init(.concat, inputs: ["residual", "side"]),
            .init(.avgpool2d(size: 2, stride: 2)),
            .init(.flatten),
            .init(.dense(units: 6, activation: .relu)),
            .init(.dense(units: 3, activation: .linear)),
        ])
        let rng = SeededRNG(seed: 21)
        return try description.build { .drawn(.heNormal, rng.fork("layer-\($0)")) }
    }

    @Test func lrpZeroIsGradientTimesInputOnAGraph() throws {
        let model = try Self.model()
        var rng = SeededRNG(seed: 4)
        let inputs = Tensor(shape: [3, 6, 6, 2], scalars: (0..<216).map { _ in rng.uniform(0, 1) })
        let lrp = try LayerwiseRelevancePropagation(composite: .uniform(.epsilon(1e-9), poolStabilizer: Stabilizer(epsilon: 1e-9)))
            .explain(model, inputs: inputs)
        let reference = try GradientTimesInput().attribute(model, inputs: inputs, target: .predicted)
        let scale = reference.map.scalars.map(abs).max() ?? 1
        let worst = zip(lrp.map.scalars, reference.map.scalars).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-4 * scale, "worst \(worst) of \(scale)")
        // Conservation: all of each logit reaches the input (no biases, ε → 0).
        for (total, logit) in zip(lrp.layerTotals[0], lrp.explained) {
            #expect(total.isApproximatelyEqual(to: Double(logit), absoluteTolerance: 1e-4 * max(1, abs(Double(logit)))))
        }
    }

    @Test func theSumSplitsInProportionToEachInput() {
        let a = Tensor(shape: [1, 2], scalars: [1, 3]), b = Tensor(shape: [1, 2], scalars: [3, -1])
        let trace = Add(name: "sum").forward(inputs: [a, b])
        let relevance = Tensor(shape: [1, 2], scalars: [8, 4])
        let split = LayerwiseRelevancePropagation.sumRule(relevance, trace: trace, stabilizer: Stabilizer(epsilon: 0))
        #expect(split.map(\.scalars) == [[2, 6], [6, -2]])
    }
}
