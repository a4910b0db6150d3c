import Configuration
import Networks
import Testing
import Yams

/// The configuration's model syntax, in process: layers and graphs parsed into the one
/// description, unknown kinds and bad graphs refused by name, and the written-out form of
/// an imported model read back unchanged.
@Suite("Configuration: model layers and graphs")
struct LayerSyntaxTests {
    /// The configuration's parser and ``LayerSpec``'s `Codable` form are one spelling: what
    /// one writes (an imported model written out), the other reads back unchanged.
    @Test func layerSpecsRoundTripThroughTheConfigParser() throws {
        let specs: [LayerSpec] = [
            .conv2d(filters: 3, kernel: [3, 2], stride: 2, padding: 1, activation: .relu), .maxpool2d(size: 2, stride: 1),
            .avgpool2d(size: 3, stride: 3), .activation(.softplus), .flatten, .dense(units: 5, activation: .linear),
        ]
        #expect(Set(specs.map(\.kind)) == Set(LayerKind.allCases.filter { !$0.isMerge && $0.isBuildable }))
        for spec in specs {
            let node = try #require(try Yams.compose(yaml: try YAMLEncoder().encode(spec)))
            #expect(try ModelConfig.layer(ConfigReader(node: node, file: "t.yaml", path: "model.layers[0]"), defaultActivation: .tanh).spec == spec)
        }
        // Merges name their inputs; any node may name itself and its input.
        let merge = try #require(try Yams.compose(yaml: "{add: [dense1, block], name: sum}"))
        #expect(try ModelConfig.layer(ConfigReader(node: merge, file: "t.yaml"), defaultActivation: .tanh)
                == ModelDescription.Entry(.add, name: "sum", inputs: ["dense1", "block"]))
        let named = try #require(try Yams.compose(yaml: "{concat: [a, input]}"))
        #expect(try ModelConfig.layer(ConfigReader(node: named, file: "t.yaml"), defaultActivation: .tanh).spec == .concat)
        for bad in ["{add: [a]}", "{add: [a, b], inputs: [c]}", "{dense: {units: 2}, inputs: [a, b]}", "{dense: {units: 2}, name: input}",
                    "{dense: {units: 2}, name: \"a b\"}", "add"] {
            let node = try #require(try Yams.compose(yaml: bad))
            #expect(throws: ConfigError.self, "\(bad)") { _ = try ModelConfig.layer(ConfigReader(node: node, file: "t.yaml"), defaultActivation: .tanh) }
        }
        let unknown = try #require(try Yams.compose(yaml: "{residual: {units: 3}}"))
        #expect(throws: ConfigError.self) { _ = try ModelConfig.layer(ConfigReader(node: unknown, file: "t.yaml"), defaultActivation: .tanh) }
    }

    /// A graph written in YAML resolves to the nodes, names and inputs it says.
    @Test func aResidualGraphResolves() throws {
        let yaml = """
        model:
          activation: relu
          layers:
            - {dense: {units: 8}}
            - {dense: {units: 8}, name: block}
            - {add: [dense1, block], name: sum}
            - {dense: {units: 4}}
        """
        let root = try #require(try Yams.compose(yaml: yaml))
        let model = try ModelConfig(ConfigReader(node: root, file: "g.yaml").mapping(allowed: ["model"]).required("model", in: ConfigReader(node: root, file: "g.yaml")))
        let entries = try #require(model.layers) + [ModelDescription.Entry(.dense(units: 2, activation: .linear))]
        let description = try ModelDescription.resolve(inputShape: [12], entries: entries)
        #expect(description.nodes.map(\.name) == ["dense1", "block", "sum", "dense2", "output"])
        #expect(description.nodes.map(\.inputs) == [["input"], ["dense1"], ["dense1", "block"], ["sum"], ["dense2"]])
        #expect(!description.isChain)
    }
}
