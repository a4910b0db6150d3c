import Attribution
import FeatureVisualization
import Networks
import Tensor
import Testing

/// Receptive fields, top patches, activation maximisation and inversion.
@Suite("Feature visualisation")
struct FeatureVisualizationTests {
    /// CaffeNet (Jia et al. 2014): conv1 11/4, pool1 3/2, conv2 5 pad 2, pool2 3/2, conv3-5
    /// 3 pad 1. The centre unit (6, 6) of conv5's 13×13 map sees 163 pixels, [32, 195).
    @Test func caffeNetConv5CentreUnit() {
        let steps: [ReceptiveField.Step] = [.init(kernel: 11, stride: 4), .init(kernel: 3, stride: 2), .init(kernel: 5, padding: 2),
                                            .init(kernel: 3, stride: 2), .init(kernel: 3, padding: 1), .init(kernel: 3, padding: 1),
                                            .init(kernel: 3, padding: 1)]
        let field = ReceptiveField(steps: steps, row: 6, column: 6)
        #expect(field.size == 163)
        #expect(field.rows == 32..<195 && field.columns == 32..<195)
        // Fields step by the product of the strides (16): a corner unit starts 6 × 16 before
        // the centre one, in the padding, and is clipped to the 227 × 227 image.
        let corner = ReceptiveField(steps: steps, row: 0, column: 12)
        #expect(corner.rows == (-64)..<99)
        #expect(corner.clipped(height: 227, width: 227).rows == 0..<99)
        #expect(corner.clipped(height: 227, width: 227).columns == 128..<227)
    }

    /// A 3×5 kernel widens the field along columns only.
    @Test func rectangularKernels() {
        let field = ReceptiveField(steps: [.init(kernelHeight: 3, kernelWidth: 5, padding: 1), .init(kernel: 2, stride: 2)], row: 1, column: 1)
        #expect(field.rows == 1..<5 && field.columns == 1..<7)
    }

    /// On a real model the gradient of a unit is non-zero exactly inside its field: a chain
    /// (conv 3/1 pad 1, maxpool 2, conv 3/1 pad 1) and a residual graph whose sum adds a
    /// 3×3 branch to a 5×5 one (its field is the larger window) and whose stride-2 pooling
    /// follows the sum.
    @Test(arguments: ["chain", "residual"])
    func fieldIsTheGradientSupport(_ shape: String) throws {
        let model: Sequential, layer: Int
        if shape == "chain" {
            model = try Models.cnn(seed: 31)
            layer = 2
        } else {
            let conv = LayerSpec.conv2d(filters: 3, kernel: [3, 3], stride: 1, padding: 1, activation: .tanh)
            let description = ModelDescription(inputShape: [8, 8, 1], nodes: [
                .init(name: "conv1", spec: conv, inputs: ["input"]), .init(name: "conv2", spec: conv, inputs: ["conv1"]),
                .init(name: "sum", spec: .add, inputs: ["conv1", "conv2"]), .init(name: "pool", spec: .maxpool2d(size: 2, stride: 2), inputs: ["sum"]),
                .init(name: "flatten", spec: .flatten, inputs: ["pool"]), .init(name: "output", spec: .dense(units: 2, activation: .linear), inputs: ["flatten"]),
            ])
            let stream = SeededRNG(seed: 5)
            model = try description.build { index in .drawn(.glorotUniform, stream.fork("node \(index)")) }
            layer = 3
            #expect(ReceptiveField(model: model, layer: 2, row: 4, column: 4).map { [$0.rows, $0.columns] } == [2..<7, 2..<7])
            #expect(ReceptiveField(model: model, layer: 5, row: 0, column: 0) == nil, "a dense unit sees the whole input")
        }
        let (width, channels) = (model.outputShapes[layer][1], model.outputShapes[layer][2])
        for (row, column) in [(0, 0), (2, 1), (3, 3)] {
            let field = try #require(ReceptiveField(model: model, layer: layer, row: row, column: column)).clipped(height: 8, width: 8)
            var support = Set<Int>()
            var rng = SeededRNG(seed: UInt64(row * 4 + column))
            for _ in 0..<20 {
                let x = Tensor(shape: [1, 8, 8, 1], scalars: (0..<64).map { _ in rng.uniform(0, 1) })
                let traces = model.forward(x)
                for channel in 0..<channels {
                    var seed = Tensor(shape: traces[layer].output.shape)
                    seed.scalars[(row * width + column) * channels + channel] = 1
                    let g = model.gradient(traces: traces, seed: seed, from: layer)
                    for (i, v) in g.scalars.enumerated() where v != 0 { support.insert(i) }
                }
            }
            let inside = Set(field.rows.flatMap { y in field.columns.map { y * 8 + $0 } })
            #expect(support.isSubset(of: inside), "\(shape) (\(row), \(column)): \(support.subtracting(inside))")
            #expect(support.count >= inside.count / 2, "\(shape) (\(row), \(column)): \(support.count) of \(inside.count)")
        }
    }

    @Test func topPatchesAreTheLargestActivations() throws {
        let model = try Models.cnn(seed: 32)
        let x = Models.inputs(model, count: 40, seed: 32, low: 0, high: 1)
        let patches = try TopPatches.find(model, inputs: x, layer: 2, channel: 1, position: nil, k: 5)
        #expect(patches.count == 5)
        #expect(zip(patches, patches.dropFirst()).allSatisfy { $0.value >= $1.value })
        // Every other input's maximum is at most the fifth value.
        let all = model.forward(x)[2].output
        let maxima = (0..<40).map { b in (0..<16).map { all.scalars[b * 96 + $0 * 6 + 1] }.max()! }
        #expect(maxima.sorted(by: >)[4] == patches[4].value)
        for patch in patches { #expect(patch.pixels.count == patch.rows.count * patch.columns.count) }
        #expect(throws: FeatureVisualizationError.self) { try TopPatches.find(model, inputs: x, layer: 2, channel: 9, position: nil, k: 3) }
    }

    @Test(arguments: ["none", "yosinski1", "yosinski2", "yosinski3", "yosinski4"])
    func activationMaximizationRaisesTheTarget(preset: String) throws {
        let model = try Models.cnn(seed: 33)
        let regularization = try #require(ActivationMaximization.Regularization.presets[preset])
        for objective in [FeatureObjective.classScore(2), .unit(layer: 2, channel: 3, row: nil, column: nil)] {
            let result = try ActivationMaximization(objective: objective, regularization: regularization, steps: 60, stepSize: 0.02).run(model)
            #expect(result.objective.count == 61)
            #expect(result.objective.last! > result.objective.first!, "\(preset) \(objective): \(result.objective.first!) → \(result.objective.last!)")
            #expect(result.image.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
    }

    @Test func inversionReducesItsLoss() throws {
        let model = try Models.cnn(seed: 34)
        let target = Models.inputs(model, count: 1, seed: 34, low: 0, high: 1).scalars
        let results = try Inversion(layer: 2, steps: 150).run(model, target: target, starts: 2)
        #expect(results.count == 2)
        for r in results {
            #expect(r.loss.last! < 0.5 * r.loss.first!, "\(r.loss.first!) → \(r.loss.last!)")
            #expect(r.representationError < 0.5)
        }
        #expect(results[0].image != results[1].image)
    }
}
