import Attribution
import Foundation
import Tensor
import Testing
import RealModule

/// Our maps against zennit's and Captum's on the same networks and inputs
/// (Fixtures/make_golden.py; float64 there, Float here).
@Suite("Attributions match zennit and Captum")
struct GoldenTests {
    static let fixture = Result { try GoldenFixture.load() }

    /// The methods by the fixture's names.
    static func method(_ key: String) -> (any AttributionMethod)? {
        let name = key.split(separator: ":", maxSplits: 1).last.map(String.init) ?? key
        switch key.split(separator: ":").first {
        case "zennit":
            let composite: Composite? = switch name {
            case "epsilon_plus": .epsilonPlus()
            case "epsilon_plus_flat": .epsilonPlusFlat()
            case "epsilon_alpha2_beta1": .epsilonAlpha2Beta1()
            case "epsilon_alpha2_beta1_flat": .epsilonAlpha2Beta1Flat()
            case "epsilon_gamma_box": .epsilonGammaBox(low: 0, high: 1)
            case "lrp0": .uniform(.zero())
            case "epsilon(0.25)": .uniform(.epsilon(0.25))
            case "zplus": .uniform(.zPlus())
            case "alpha2beta1": .uniform(.alphaBeta(alpha: 2, beta: 1))
            case "gamma(0.25)": .uniform(.gamma(0.25))
            case "deep_taylor_wsquare": .deepTaylor(bounds: nil)
            case "deep_taylor_zbox": .deepTaylor(bounds: (0, 1))
            case "flat": .uniform(.flat())
            default: nil
            }
            return composite.map { LayerwiseRelevancePropagation(composite: $0) }
        default:
            switch name {
            case "saliency": return Gradient(absolute: true)
            case "gradient_x_input": return GradientTimesInput()
            case "guided_backprop": return ModifiedBackprop.guided
            case "deconvnet": return ModifiedBackprop.deconvnet
            case "gradcam:conv2": return GradCAM(layer: "conv2")
            case "occlusion:3x3/2": return Occlusion(window: (3, 3), stride: (2, 2))
            case "occlusion:2x2/2": return Occlusion(window: (2, 2), stride: (2, 2))
            case "occlusion:3/1": return Occlusion(window: (1, 3), stride: (1, 1))
            case "lrp_epsilon": return LayerwiseRelevancePropagation(composite: .uniform(.epsilon(1e-9, bias: .captum)))
            case "lrp_zplus": return LayerwiseRelevancePropagation(composite: .uniform(.zPlus(bias: .captum)))
            case "lrp_gamma(0.25)": return LayerwiseRelevancePropagation(composite: .uniform(.gamma(0.25, bias: .captum)))
            default:
                if name.hasPrefix("integrated_gradients:"), let q = IntegratedGradients.Quadrature(rawValue: String(name.dropFirst(21))) {
                    return IntegratedGradients(steps: 16, quadrature: q)
                }
                return nil
            }
        }
    }

    static func check(_ fixture: GoldenFixture.Case, _ label: String) throws {
        let model = try fixture.model()
        let inputs = fixture.inputTensor
        // The forward pass itself first.
        let logits = model(inputs)
        for (ours, theirs) in zip(logits.scalars, fixture.logits) { #expect((Double(ours)).isApproximatelyEqual(to: theirs, absoluteTolerance: 1e-5), "\(label) logits") }
        var checked = 0
        for (key, expected) in fixture.maps.sorted(by: { $0.key < $1.key }) {
            let method = try #require(Self.method(key), "no method for \(key)")
            let map = try method.attribute(model, inputs: inputs, target: .classes(fixture.targets)).map.scalars
            #expect(map.count == expected.count, "\(label) \(key): \(map.count) values, expected \(expected.count)")
            let worst = zip(map, expected).map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? 0
            #expect(worst < 1e-5, "\(label) \(key): worst difference \(worst)")
            checked += 1
        }
        #expect(checked == fixture.maps.count)
    }

    @Test func denseNetwork() throws {
        try Self.check(try Self.fixture.get().dense, "dense")
    }

    /// Biases of both signs, as large as the weighted sums: zennit's z⁺ and γ take b⁺,
    /// Captum's keep the raw bias (`--bias captum`).
    @Test func biasedDenseNetwork() throws {
        try Self.check(try Self.fixture.get().biased_dense, "biased dense")
    }

    @Test func convNetwork() throws {
        try Self.check(try Self.fixture.get().conv, "conv")
    }

    /// Captum's convergence delta is our completeness gap (same quadratures).
    @Test func integratedGradientsGapMatchesCaptum() throws {
        let fixture = try Self.fixture.get().conv
        let model = try fixture.model()
        for (name, gaps) in fixture.integrated_gradients_gaps {
            let q = try #require(IntegratedGradients.Quadrature(rawValue: name))
            let ours = try IntegratedGradients(steps: 16, quadrature: q).attribute(model, inputs: fixture.inputTensor, target: .classes(fixture.targets))
            for (a, b) in zip(ours.completenessGap, gaps) { #expect(a.isApproximatelyEqual(to: b, absoluteTolerance: 1e-5), "\(name): gap \(a) against Captum's \(b)") }
        }
    }
}
