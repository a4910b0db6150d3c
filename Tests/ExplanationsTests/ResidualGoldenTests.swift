import Attribution
import Foundation
import Networks
import Tensor
import Testing
import TestSupport
import RealModule

/// LRP through a residual sum against zennit 0.5.1 on the same network and inputs
/// (Fixtures/make_residual_golden.py: the sum is zennit's `Sum` module, which its ResNet
/// canonizer puts in place of `out += identity`, and its composites give the `Norm` rule).
@Suite("LRP on a residual network matches zennit")
struct ResidualGoldenTests {
    struct Fixture: Decodable {
        struct Node: Decodable {
            var name: String
            var spec: LayerSpec
            var inputs: [String]
            var parameters: [[Double]]
        }
        var input_shape: [Int]
        var nodes: [Node]
        var inputs: [Double]
        var targets: [Int]
        var logits: [Double]
        var maps: [String: [Double]]
    }

    @Test func residualMapsMatchZennit() throws {
        let url = TestSupport.root.appendingPathComponent("Tests/ExplanationsTests/Fixtures/residual_golden.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        let description = ModelDescription(inputShape: fixture.input_shape,
                                           nodes: fixture.nodes.map { .init(name: $0.name, spec: $0.spec, inputs: $0.inputs) })
        // The parameters' shapes are the description's, node by node.
        var shapes: [[[Int]]] = []
        var shape = fixture.input_shape
        for node in description.nodes {
            let parameterShapes = try node.spec.parameterShapes(for: shape, layer: node.name)
            shapes.append(parameterShapes)
            if case .conv2d(let filters, _, _, _, _) = node.spec { shape = [shape[0], shape[1], filters] }
            if case .avgpool2d(let size, _) = node.spec { shape = [shape[0] / size, shape[1] / size, shape[2]] }
            if case .flatten = node.spec { shape = [shape.reduce(1, *)] }
            if case .dense(let units, _) = node.spec { shape = [units] }
        }
        let model = try description.build { index in
            .given(zip(shapes[index], fixture.nodes[index].parameters).map { Tensor(shape: $0, scalars: $1.map { Float($0) }) })
        }
        #expect(!model.isChain)
        let inputs = Tensor(shape: [fixture.targets.count] + fixture.input_shape, scalars: fixture.inputs.map { Float($0) })
        let logits = model(inputs)
        for (ours, theirs) in zip(logits.scalars, fixture.logits) { #expect((Double(ours)).isApproximatelyEqual(to: theirs, absoluteTolerance: 1e-5)) }
        let composites: [String: Composite] = [
            "epsilon_plus": .epsilonPlus(), "epsilon_plus_flat": .epsilonPlusFlat(),
            "epsilon_gamma_box": .epsilonGammaBox(low: 0, high: 1), "epsilon_alpha2_beta1": .epsilonAlpha2Beta1(),
        ]
        #expect(Set(composites.keys) == Set(fixture.maps.keys))
        for (name, expected) in fixture.maps.sorted(by: { $0.key < $1.key }) {
            let composite = try #require(composites[name])
            let map = try LayerwiseRelevancePropagation(composite: composite).explain(model, inputs: inputs, target: .classes(fixture.targets)).map.scalars
            #expect(map.count == expected.count)
            let worst = zip(map, expected).map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? .infinity
            #expect(worst < 1e-5, "\(name): worst difference \(worst)")
        }
    }
}
