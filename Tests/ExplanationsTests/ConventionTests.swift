import Attribution
import Networks
import Tensor
import Testing

/// Conventions a user compares with another library: Captum's stabiliser everywhere with
/// `--bias captum`, and exact zeros where occlusion changes nothing.
@Suite("Library conventions")
struct ConventionTests {
    /// Average pooling's proportional rule uses the convention's stabiliser: 1e-9 with
    /// Captum (its STABILITY_FACTOR), 1e-6 with zennit (it was 1e-6 for both: 4.6e-4
    /// relative difference against Captum on a CNN with AvgPool).
    @Test func poolingStabiliserFollowsTheBiasConvention() {
        for make in [{ Composite.epsilonPlus(bias: $0) }, { Composite.epsilonPlusFlat(bias: $0) }, { Composite.epsilonAlpha2Beta1(bias: $0) },
                     { Composite.epsilonAlpha2Beta1Flat(bias: $0) }, { Composite.epsilonGammaBox(low: 0, high: 1, bias: $0) },
                     { Composite.deepTaylor(bounds: nil, bias: $0) }] as [(BiasConvention) -> Composite] {
            #expect(make(.captum).poolStabilizer == .captum)
            #expect(make(.zennit).poolStabilizer == .zennit)
            #expect(make(.innvestigate).poolStabilizer == .innvestigate)
        }
    }

    /// A window whose inputs already equal the baseline changes nothing: its drop is 0
    /// exactly, not a rounding difference of another batch's forward pass.
    @Test func occlusionOfUnchangedWindowsIsExactlyZero() throws {
        let model = try Models.cnn(seed: 3)
        var inputs = Models.inputs(model, count: 2, seed: 4)
        let size = inputs.rowSize
        // Zero the first half of every sample: windows there are at the baseline (0).
        for b in 0..<inputs.rows { for i in 0..<(size / 2) { inputs.scalars[b * size + i] = 0 } }
        let occlusion = Occlusion(window: (1, 1), stride: (1, 1))
        let map = try occlusion.attribute(model, inputs: inputs, target: .predicted).map
        let channels = model.inputShape.count == 3 ? model.inputShape[2] : 1
        for b in 0..<inputs.rows {
            for pixel in 0..<(size / channels) {
                let values = (0..<channels).map { inputs.scalars[b * size + pixel * channels + $0] }
                guard values.allSatisfy({ $0 == 0 }) else { continue }
                #expect((0..<channels).allSatisfy { map.scalars[b * size + pixel * channels + $0] == 0 }, "sample \(b) pixel \(pixel)")
            }
        }
        #expect(map.scalars.contains { $0 != 0 }, "the other windows still have drops")
    }
}
