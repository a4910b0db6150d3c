import Foundation
@testable import Networks
import Tensor
import Testing
import RealModule

/// Models as graphs: residual sums, concatenations and outputs used by several layers
/// train by the same backward pass, checked against finite differences of a
/// double-precision reference; a chain built as a graph is the chain bit for bit; a
/// graph that does not make sense is refused naming the layer.
@Suite("Graphs: residual and concatenating models")
struct GraphTests {
    /// conv → [conv, conv] residual → concat with a 1×1 branch → flatten → dense → add of
    /// two dense heads → logits: every kind of edge (skip, fan-out, both merges).
    static func model(rng: inout SeededRNG) throws -> Sequential {
        let description = try ModelDescription.resolve(inputShape: [5, 5, 1], entries: [
            .init(.conv2d(filters: 2, kernel: [3, 3], stride: 1, padding: 1, activation: .tanh)),                 // conv1
            .init(.conv2d(filters: 2, kernel: [3, 3], stride: 1, padding: 1, activation: .softplus)),             // conv2
            .init(.add, name: "residual", inputs: ["conv1", "conv2"]),
            .init(.conv2d(filters: 1, kernel: [1, 1], stride: 1, padding: 0, activation: .sigmoid), name: "side", inputs: ["input"]),
            .init(.concat, name: "joined", inputs: ["residual", "side"]),
            .init(.maxpool2d(size: 2, stride: 2)),
            .init(.flatten),
            .init(.dense(units: 4, activation: .tanh), name: "left"),
            .init(.dense(units: 4, activation: .elu), name: "right", inputs: ["flatten1"]),
            .init(.add, name: "heads", inputs: ["left", "right"]),
            .init(.dense(units: 3, activation: .linear)),
        ])
        let stream = rng.fork("graph")
        var model = try description.build { .drawn(.glorotUniform, stream.fork("layer-\($0)")) }
        for index in model.layers.indices where model.layers[index].parameters.count == 2 {
            let count = model.layers[index].parameters[1].count
            model.layers[index].parameters[1] = Tensor(shape: [count], scalars: (0..<count).map { _ in rng.uniform(-0.3, 0.3) })
        }
        return model
    }

    @Test func graphGradientsMatchFiniteDifferences() throws {
        var rng = SeededRNG(seed: 11)
        let model = try Self.model(rng: &rng)
        #expect(!model.isChain)
        #expect(model.outputShapes[4] == [5, 5, 3])
        let batch = 2
        let x = Tensor(shape: [batch, 5, 5, 1], scalars: (0..<50).map { _ in rng.uniform(-1.5, 1.5) })
        let labels: [Int32] = [2, 0]
        let (traces, logitGradient, dx) = try GradientCheckTests.checkWholeModel(model, x: x, labels: labels)
        // The input gradient of the explanation methods' pass is the training pass's.
        let viaGradient = model.gradient(traces: traces, seed: logitGradient)
        #expect(zip(viaGradient.scalars, dx.scalars).allSatisfy { $0.isApproximatelyEqual(to: $1, absoluteTolerance: 1e-6) })
        // Stopping at a layer gives the gradient at its output (all consumers summed).
        let atResidual = model.gradient(traces: traces, seed: logitGradient, layer: 2)
        #expect(atResidual.shape == [batch, 5, 5, 2])
    }

    @Test func aChainAsAGraphIsTheChain() throws {
        let rng = SeededRNG(seed: 3)
        let chain = try Sequential.mlp(inputSize: 6, widths: [5, 4], classes: 2, activation: .tanh, initializer: .glorotUniform, rng: rng)
        let graph = try chain.architecture.build { .given(chain.layers[$0].parameters) }
        #expect(graph.isChain && graph.architecture == chain.architecture)
        let x = Tensor(shape: [3, 6], scalars: (0..<18).map { Float($0 % 7) / 3 - 1 })
        let g = Tensor(shape: [3, 2], scalars: [0.1, -0.1, 0.2, -0.2, 0.3, -0.3])
        let (a, b) = (chain.backward(g, traces: chain.forward(x), needsInputGradient: true), graph.backward(g, traces: graph.forward(x), needsInputGradient: true))
        #expect(a.parameters.map { $0.map(\.scalars) } == b.parameters.map { $0.map(\.scalars) })
        #expect(a.input?.scalars == b.input?.scalars)
    }

    @Test("graphs that make no sense are refused, naming the layer", arguments: [
        ([ModelDescription.Entry(.dense(units: 3, activation: .tanh)), .init(.dense(units: 3, activation: .tanh), inputs: ["input"]),
          .init(.dense(units: 2, activation: .linear))], "dense1", "used by no layer"),
        ([.init(.dense(units: 3, activation: .tanh), inputs: ["dense2"]), .init(.dense(units: 2, activation: .linear))], "dense1", "not an earlier node"),
        ([.init(.dense(units: 3, activation: .tanh)), .init(.dense(units: 4, activation: .tanh), inputs: ["input"]),
          .init(.add, inputs: ["dense1", "dense2"]), .init(.dense(units: 2, activation: .linear))], "add1", "one shape"),
        ([.init(.dense(units: 3, activation: .tanh), name: "input"), .init(.dense(units: 2, activation: .linear))], "input", "names the model's input"),
        ([.init(.dense(units: 3, activation: .tanh), name: "a"), .init(.dense(units: 3, activation: .tanh), name: "a"),
          .init(.dense(units: 2, activation: .linear))], "a", "used twice"),
    ])
    func nonsenseIsRefused(_ entries: [ModelDescription.Entry], _ layer: String, _ fragment: String) {
        #expect {
            _ = try ModelDescription.resolve(inputShape: [4], entries: entries).build { _ in .drawn(.zeros, SeededRNG(seed: 0)) }
        } throws: { error in
            guard let error = error as? NetworkError else { return false }
            return error.layer == layer && error.reason.contains(fragment)
        }
    }
}
