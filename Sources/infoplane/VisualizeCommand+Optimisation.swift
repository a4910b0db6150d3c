import ArgumentParser
import Attribution
import Embedding
import Experiments
import FeatureVisualization
import Foundation
import Networks
import Plotting
import Recording
import Reports
import Tensor

extension VisualizeCommand {
    struct Maximize: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "maximize", abstract: "Inputs that maximise class scores or units (gradient ascent with Yosinski et al.'s regularisers).")
        @OptionGroup var options: VisualizeOptions
        @Option(help: "Classes whose logit to maximise, comma-separated (default: all when no --layer).") var classes: String?
        @Option(help: "Maximise channels of this layer instead.") var layer: String?
        @Option(help: "Channels of --layer (mean over positions), comma-separated.") var channels: String?
        @Option(help: "Regularisation presets: none, yosinski1, yosinski2, yosinski3, yosinski4, or all.") var presets = "none,yosinski3"
        @Option(help: "Gradient steps.") var steps = 200
        @Option(help: "Mean change per step, as a fraction of the input range.") var stepSize: Float = 0.01
        @Option(help: "Seed of the random start and the jitter.") var seed: UInt64 = 0
        func run() throws {
            let (loaded, inputs, _) = try options.load()
            let model = loaded.model
            var objectives: [(name: String, objective: FeatureObjective)] = []
            if let layer {
                let index = try FeatureFigures.layerIndex(model, layer)
                for c in try parseList(channels, "--channels") ?? Array(0..<min(model.outputShapes[index].last ?? 1, 8)) {
                    objectives.append(("\(layer) c\(c)", .unit(layer: index, channel: c, row: nil, column: nil)))
                }
            } else {
                for c in try parseList(classes, "--classes") ?? Array(0..<model.outputSize) { objectives.append(("class \(c)", .classScore(c))) }
            }
            let names = presets == "all" ? ["none", "yosinski1", "yosinski2", "yosinski3", "yosinski4"] : presets.split(separator: ",").map(String.init)
            let bounds = VisualizeOptions.bounds(inputs)
            let (svg, lines) = try FeatureFigures.maximize(model, objectives: objectives, presets: names, steps: steps,
                                                           stepSize: stepSize * (bounds.high - bounds.low), bounds: bounds, seed: seed)
            try options.write(svg, loaded: loaded, name: layer.map { "maximize_\($0)" } ?? "maximize_classes", lines: lines)
        }
    }

    struct Invert: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "invert", abstract: "Reconstruct inputs from a layer's representation (Mahendran & Vedaldi 2015).")
        @OptionGroup var options: VisualizeOptions
        @Option(help: "Layers, comma-separated (default: every Conv2D and Dense layer but the output).") var layers: String?
        @Option(help: "Rows of the recorded samples, comma-separated.") var inputs = "0"
        @Option(help: "Random starts per inversion.") var starts = 3
        @Option(help: "Gradient steps.") var steps = 300
        @Option(help: "Seed of the random starts.") var seed: UInt64 = 0
        func run() throws {
            let (loaded, data, _) = try options.load()
            let model = loaded.model
            let names = layers.map { $0.split(separator: ",").map(String.init) }
                ?? model.layers.dropLast().filter { $0.kind.isAffine }.map(\.name)
            let rows = try parseList(inputs, "--inputs") ?? [0]
            if let bad = rows.first(where: { !(0..<data.rows).contains($0) }) { throw InputError("--inputs: row \(bad) is outside the \(data.rows) recorded samples") }
            let (svg, lines) = try FeatureFigures.invert(model, inputs: data, rows: rows, layers: names, starts: starts, steps: steps,
                                                         bounds: VisualizeOptions.bounds(data), seed: seed)
            try options.write(svg, loaded: loaded, name: "invert", lines: lines)
        }
    }
}
