import Foundation
import Networks
import Tensor
import Testing

/// The one description of a layer (``LayerSpec``) and of a model (``ModelDescription``):
/// every kind round-trips through its `Codable` form, a built layer reports the
/// description it was built from, and building is checked before anything is allocated.
@Suite("Model description: one typed description per layer")
struct ModelDescriptionTests {
    /// The merges, which take two or more inputs (``GraphTests`` builds them).
    static let merges: [LayerSpec] = [.add, .concat]
    /// One of each kind that takes one input, with hyperparameters that differ from the
    /// defaults, in an order that makes a chain.
    static let everyKind: [LayerSpec] = [
        .conv2d(filters: 3, kernel: [3, 2], stride: 2, padding: 1, activation: .relu),
        .maxpool2d(size: 2, stride: 1),
        .avgpool2d(size: 2, stride: 2),
        .activation(.softplus),
        .flatten,
        .dense(units: 5, activation: .tanh),
        .dense(units: 2, activation: .linear),
    ]

    @Test("every kind is in the list the tests build (a new kind must join it)")
    func theListCoversEveryKind() {
        #expect(Set((Self.everyKind + Self.merges).map(\.kind)) == Set(LayerKind.allCases.filter(\.isBuildable)))
        #expect(Set(Self.merges.map(\.kind)) == Set(LayerKind.allCases.filter(\.isMerge)))
    }

    @Test("Codable round trip of every kind, and the configuration's spelling")
    func codableRoundTrip() throws {
        let json = try JSONEncoder().encode(Self.everyKind + Self.merges)
        #expect(try JSONDecoder().decode([LayerSpec].self, from: json) == Self.everyKind + Self.merges)
        let text = String(decoding: try JSONEncoder.sorted.encode(LayerSpec.conv2d(filters: 8, kernel: [3, 3], stride: 1, padding: 1, activation: .relu)), as: UTF8.self)
        #expect(text == #"{"conv2d":{"activation":"relu","filters":8,"kernel":[3,3],"padding":1,"stride":1}}"#)
        #expect(String(decoding: try JSONEncoder().encode(LayerSpec.flatten), as: UTF8.self) == #""flatten""#)
        // What a configuration may leave out.
        let short = try JSONDecoder().decode([LayerSpec].self, from: Data(#"[{"conv2d": {"filters": 4, "kernel": 5, "activation": "relu"}}, {"maxpool2d": {"size": 3}}]"#.utf8))
        #expect(short == [.conv2d(filters: 4, kernel: [5, 5], stride: 1, padding: 0, activation: .relu), .maxpool2d(size: 3, stride: 3)])
    }

    @Test("unknown kinds and keys are refused by name", arguments: [
        (#"{"residual": {"units": 3}}"#, "\"residual\" is not a layer kind"),
        (#"{"dense": {"units": 3, "activation": "relu", "dropout": 0.5}}"#, "unknown key \"dropout\" for dense"),
        (#""dense""#, "\"dense\" is not a layer"),
        (#"{"dense": {"units": 3}, "flatten": {}}"#, "one layer kind per layer"),
    ])
    func unknownKindsAreNamed(_ json: String, _ fragment: String) {
        #expect {
            _ = try JSONDecoder().decode(LayerSpec.self, from: Data(json.utf8))
        } throws: { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return false }
            return context.debugDescription.contains(fragment)
        }
    }

    @Test("a built layer reports its description, and description + weights rebuild it bit for bit")
    func buildAndDescribe() throws {
        let description = ModelDescription.chain(inputShape: [8, 8, 2], specs: Self.everyKind)
        #expect(description.nodes.map(\.name) == ["conv1", "maxpool1", "avgpool1", "activation1", "flatten1", "dense1", "output"])
        let rng = SeededRNG(seed: 7)
        let model = try description.build { .drawn(.heNormal, rng.fork("layer-\($0)")) }
        #expect(model.architecture == description)
        let copy = try model.architecture.build { .given(model.layers[$0].parameters) }
        let input = Tensor(shape: [3, 8, 8, 2], scalars: (0..<384).map { Float(($0 * 37) % 23) / 11 - 1 })
        #expect(copy(input).scalars == model(input).scalars)
        #expect(copy.layers.map(\.kind) == Self.everyKind.map(\.kind))
    }

    @Test("shapes that do not fit, and weights of other shapes, name the layer")
    func buildErrorsNameTheLayer() {
        #expect(throws: NetworkError(layer: "dense1", "a dense layer needs flat inputs but gets [4, 4, 1]; put flatten before it")) {
            _ = try ModelDescription.chain(inputShape: [4, 4, 1], specs: [.dense(units: 3, activation: .relu), .dense(units: 2, activation: .linear)])
                .build { _ in .drawn(.zeros, SeededRNG(seed: 0)) }
        }
        #expect(throws: NetworkError.self) {
            _ = try ModelDescription.chain(inputShape: [4], specs: [.dense(units: 2, activation: .linear)])
                .build { _ in .given([Tensor.zeros([3, 2]), Tensor.zeros([2])]) }
        }
        // Counted before allocation: 2^20 × 2^20 weights are refused, not drawn.
        #expect(throws: NetworkError.self) {
            _ = try ModelDescription.chain(inputShape: [1 << 20], specs: [.dense(units: 1 << 20, activation: .linear)])
                .build { _ in .drawn(.glorotUniform, SeededRNG(seed: 0)) }
        }
    }
}

private extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
