import Attribution
import Networks
import Tensor
import Testing
import RealModule

/// The properties the methods must have, on seeded random ReLU networks.
@Suite("Attribution properties")
struct PropertyTests {
    static func close(_ a: [Float], _ b: [Float], relative: Float = 1e-4) -> Bool {
        let scale = max(b.map(abs).max() ?? 0, 1e-6)
        return a.count == b.count && zip(a, b).allSatisfy { $0.isApproximatelyEqual(to: $1, absoluteTolerance: relative * scale) }
    }

    /// LRP-0 = gradient × input on ReLU networks, with biases (see GradientTimesInput).
    @Test(arguments: [UInt64(1), 2, 3])
    func lrp0EqualsGradientTimesInput(seed: UInt64) throws {
        for model in [try Models.mlp(seed: seed), try Models.cnn(seed: seed)] {
            let x = Models.inputs(model, count: 5, seed: seed)
            let lrp = try LayerwiseRelevancePropagation(composite: .uniform(.zero(stabilizer: Stabilizer(epsilon: 1e-12))))
                .attribute(model, inputs: x, target: .predicted)
            let gxi = try GradientTimesInput().attribute(model, inputs: x, target: .predicted)
            #expect(Self.close(lrp.map.scalars, gxi.map.scalars), "seed \(seed), \(model.inputShape)")
        }
    }

    /// z⁺ everywhere, and deep Taylor's z^B at the pixels, give non-negative maps for
    /// positive outputs.
    @Test(arguments: [UInt64(5), 6, 15])
    func zPlusAndZBoxAreNonNegative(seed: UInt64) throws {
        let model = try Models.cnn(seed: seed)
        let x = Models.inputs(model, count: 32, seed: seed, low: 0, high: 1)
        for composite in [Composite.uniform(.zPlus()), .deepTaylor(bounds: (0, 1))] {
            let map = try LayerwiseRelevancePropagation(composite: composite).attribute(model, inputs: x, target: .predicted)
            var checked = 0
            for b in 0..<x.rows where map.explained[b] > 0 {
                #expect(map.sample(b).allSatisfy { $0 >= -1e-7 }, "\(composite.name), sample \(b)")
                checked += 1
            }
            #expect(checked > 0)
        }
    }

    /// Without biases, LRP-0 and z⁺ conserve relevance at every layer, to 1e-5 of the logit.
    @Test(arguments: [UInt64(7), 8])
    func conservationWithoutBiases(seed: UInt64) throws {
        for model in [try Models.mlp(seed: seed, zeroBias: true), try Models.cnn(seed: seed, zeroBias: true)] {
            let x = Models.inputs(model, count: 6, seed: seed, low: 0, high: 1)
            for composite in [Composite.uniform(.zero(bias: .zero)), .uniform(.zPlus(bias: .zero)), .deepTaylor(bounds: (0, 1), bias: .zero)]
                where model.inputShape.count == 3 || composite.name != "deep_taylor_zbox" {
                let map = try LayerwiseRelevancePropagation(composite: composite).attribute(model, inputs: x, target: .predicted)
                for b in 0..<x.rows where map.explained[b] > 0 {
                    let logit = Double(map.explained[b])
                    for (layer, totals) in map.layerTotals.enumerated() {
                        #expect(totals[b].isApproximatelyEqual(to: logit, absoluteTolerance: 1e-5 * max(abs(logit), 1)), "\(composite.name) layer \(layer): \(totals[b]) against \(logit)")
                    }
                }
            }
        }
    }

    /// With biases, LRP-0 does not conserve, and the per-layer totals show where.
    @Test func biasesBreakConservation() throws {
        let model = try Models.mlp(seed: 9)
        let x = Models.inputs(model, count: 6, seed: 9)
        let map = try LayerwiseRelevancePropagation(composite: .uniform(.zero())).attribute(model, inputs: x, target: .predicted)
        let gaps = (0..<x.rows).map { abs(map.layerTotals[0][$0] - Double(map.explained[$0])) }
        #expect(gaps.max()! > 1e-3)
        #expect(map.layerTotals.count == model.layers.count + 1)
    }

    @Test func smoothGradWithoutNoiseIsTheGradient() throws {
        let model = try Models.cnn(seed: 10)
        let x = Models.inputs(model, count: 3, seed: 10)
        let smooth = try SmoothGrad(samples: 1, noise: 0).attribute(model, inputs: x, target: .class(1))
        let gradient = try Gradient().attribute(model, inputs: x, target: .class(1))
        #expect(smooth.map.scalars == gradient.map.scalars)
        // With noise, the same seed gives the same map and another seed another one.
        let a = try SmoothGrad(samples: 4, noise: 0.2, seed: 1).attribute(model, inputs: x, target: .class(1))
        let b = try SmoothGrad(samples: 4, noise: 0.2, seed: 1).attribute(model, inputs: x, target: .class(1))
        let c = try SmoothGrad(samples: 4, noise: 0.2, seed: 2).attribute(model, inputs: x, target: .class(1))
        #expect(a.map.scalars == b.map.scalars && a.map.scalars != c.map.scalars)
    }

    @Test(arguments: IntegratedGradients.Quadrature.allCases)
    func integratedGradientsGapShrinksWithSteps(quadrature: IntegratedGradients.Quadrature) throws {
        let model = try Models.mlp(seed: 11)
        let x = Models.inputs(model, count: 4, seed: 11)
        let gaps = try [2, 8, 64].map { steps in
            try IntegratedGradients(steps: steps, quadrature: quadrature).attribute(model, inputs: x, target: .predicted)
                .completenessGap.map(abs).reduce(0, +)
        }
        #expect(gaps[2] < gaps[1] && gaps[1] < gaps[0], "\(quadrature): \(gaps)")
        #expect(gaps[2] < 0.1 * gaps[0], "\(quadrature): \(gaps)")
    }

    @Test func gaussLegendreNodesIntegratePolynomialsExactly() {
        // n nodes integrate degree 2n − 1 exactly: ∫₀¹ t⁷ dt = 1/8 with 4 nodes.
        let (alphas, weights) = IntegratedGradients.Quadrature.gaussLegendre.nodes(4)
        let integral = zip(alphas, weights).reduce(0.0) { sum, node in sum + node.1 * node.0 * node.0 * node.0 * node.0 * node.0 * node.0 * node.0 }
        #expect(integral.isApproximatelyEqual(to: 0.125, absoluteTolerance: 1e-14))
        #expect((weights.reduce(0, +)).isApproximatelyEqual(to: 1, absoluteTolerance: 1e-14))
        for q in IntegratedGradients.Quadrature.allCases { #expect((q.nodes(10).weights.reduce(0, +)).isApproximatelyEqual(to: 1, absoluteTolerance: 1e-12), "\(q)") }
    }

    /// With disjoint windows every element carries its own window's drop.
    @Test func occlusionWithDisjointWindowsAddsUp() throws {
        let model = try Models.cnn(seed: 12)
        let x = Models.inputs(model, count: 2, seed: 12, low: 0, high: 1)
        let map = try Occlusion(window: (4, 4), stride: (4, 4), baseline: 0).attribute(model, inputs: x, target: .class(0))
        for b in 0..<2 {
            let sample = x.rows(b..<(b + 1))
            let reference = model(sample).scalars[0]
            for (top, left) in [(0, 0), (0, 4), (4, 0), (4, 4)] {
                var occluded = sample
                for y in top..<(top + 4) { for xx in left..<(left + 4) { occluded.scalars[y * 8 + xx] = 0 } }
                let drop = reference - model(occluded).scalars[0]
                for y in top..<(top + 4) { for xx in left..<(left + 4) { #expect((map.sample(b)[y * 8 + xx]).isApproximatelyEqual(to: drop, absoluteTolerance: 1e-5)) } }
            }
            // The sum over the image is 16 × the sum of the four drops.
            let total = map.sample(b).reduce(0, +)
            let values = map.sample(b)
            let corners: [Int] = [0, 4, 32, 36]
            let drops: Float = corners.reduce(0) { $0 + values[$1] }
            #expect(total.isApproximatelyEqual(to: 16 * drops, absoluteTolerance: 1e-4))
        }
    }

    /// Deconvnet and guided backprop against their ReLU rules written out for a
    /// one-hidden-layer network: h = relu(W₁ᵀx + b₁), y = W₂ᵀh + b₂.
    @Test func deconvnetAndGuidedBackpropFollowTheirRules() throws {
        var rng = SeededRNG(seed: 13)
        let l1 = Dense(name: "dense1", inputSize: 5, outputSize: 7, activation: .relu, initializer: .heNormal, rng: &rng)
        let l2 = Dense(name: "dense2", inputSize: 7, outputSize: 3, initializer: .glorotUniform, rng: &rng)
        let model = try Sequential(inputShape: [5], layers: [l1, l2])
        let x = Models.inputs(model, count: 1, seed: 13)
        let h = l1(x).scalars
        let w1 = l1.weights.scalars, w2 = l2.weights.scalars
        let target = 2
        let top = (0..<7).map { w2[$0 * 3 + target] }          // ∂y/∂h
        let guidedHidden = (0..<7).map { h[$0] > 0 ? max(top[$0], 0) : 0 }
        let deconvHidden = top.map { max($0, 0) }
        let gradientHidden = (0..<7).map { h[$0] > 0 ? top[$0] : 0 }
        func back(_ g: [Float]) -> [Float] { (0..<5).map { i in (0..<7).reduce(0) { $0 + w1[i * 7 + $1] * g[$1] } } }
        let guided = try ModifiedBackprop.guided.attribute(model, inputs: x, target: .class(target)).map.scalars
        let deconv = try ModifiedBackprop.deconvnet.attribute(model, inputs: x, target: .class(target)).map.scalars
        let gradient = try Gradient().attribute(model, inputs: x, target: .class(target)).map.scalars
        #expect(Self.close(guided, back(guidedHidden), relative: 1e-6))
        #expect(Self.close(deconv, back(deconvHidden), relative: 1e-6))
        #expect(Self.close(gradient, back(gradientHidden), relative: 1e-6))
    }

    @Test func spearmanOfKnownOrders() {
        #expect(spearman([1, 2, 3, 4], [10, 20, 30, 40]) == 1)
        #expect(spearman([1, 2, 3, 4], [4, 3, 2, 1]) == -1)
        // Ties share their mean rank: ranks (1.5, 1.5, 3) against (1, 2, 3).
        #expect((spearman([1, 1, 2], [1, 2, 3])).isApproximatelyEqual(to: 0.8660254037844386, absoluteTolerance: 1e-12))
    }

    @Test func badTargetsAndShapesAreErrors() throws {
        let model = try Models.mlp(seed: 14)
        let x = Models.inputs(model, count: 2, seed: 14)
        #expect(throws: ExplanationError.self) { try Gradient().attribute(model, inputs: x, target: .class(7)) }
        #expect(throws: ExplanationError.self) { try Gradient().attribute(model, inputs: Tensor(shape: [2, 3], repeating: 0), target: .predicted) }
        #expect(throws: ExplanationError.self) { try GradCAM(layer: "nope").attribute(model, inputs: x, target: .predicted) }
        #expect(throws: ExplanationError.self) { try Occlusion(window: (20, 20)).attribute(model, inputs: x, target: .predicted) }
    }
}
