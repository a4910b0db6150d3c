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
    struct Filters: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "filters", abstract: "Conv kernels as images (the first conv layer by default).")
        @OptionGroup var options: VisualizeOptions
        @Option(help: "A Conv2D layer's name.") var layer: String?
        func run() throws {
            let (loaded, _, _) = try options.load()
            let (svg, lines) = try FeatureFigures.filters(loaded.model, layer: layer)
            try options.write(svg, loaded: loaded, name: "filters_\(layer ?? "first")", lines: lines)
        }
    }

    struct Patches: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "patches", abstract: "The recorded inputs that activate each channel most, cropped to its receptive field.")
        @OptionGroup var options: VisualizeOptions
        @Option(help: "The layer.") var layer: String
        @Option(help: "Channels, comma-separated (default: the first 8).") var channels: String?
        @Option(help: "Unit position row,column (default: each input's strongest position).") var position: String?
        @Option(name: [.customShort("k"), .customLong("top")], help: "Patches per channel: the k strongest.") var top = 8
        @Option(help: "Where to search: recorded (the run's recorded samples), test or train (the configured data set's split).") var data = "recorded"
        func run() throws {
            let (loaded, recorded, _) = try options.load()
            guard ["recorded", "test", "train"].contains(data) else { throw InputError("--data \(data): expected recorded, test or train") }
            let inputs = data == "recorded" ? recorded : try loaded.data(split: data).inputs
            let where_ = try parseList(position, "--position")
            guard where_ == nil || where_!.count == 2 else { throw InputError("--position \(position ?? ""): expected row,column") }
            let chosen = try parseList(channels, "--channels")
            let (svg, lines) = try FeatureFigures.patches(loaded.model, inputs: inputs, layer: layer, channels: chosen, k: top,
                                                          position: where_.map { ($0[0], $0[1]) })
            try options.write(svg, loaded: loaded, name: "patches_\(layer)", lines: lines)
        }
    }

    struct OcclusionTool: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "occlusion", abstract: "The true class's probability with a grey square over each place.")
        @OptionGroup var options: VisualizeOptions
        @Option(help: "Rows of the recorded samples, comma-separated.") var inputs = "0,1,2,3"
        @Option(help: "Square side in pixels (default: 6 for images; 1 for flat inputs, each input covered alone).") var window: Int?
        @Option(help: "Stride in pixels (default: 2 for images, 1 for flat inputs).") var stride: Int?
        @Option(help: "The square's value (default: the middle of the input range, grey).") var baseline: Float?
        func run() throws {
            let (loaded, data, labels) = try options.load()
            let rows = try parseList(inputs, "--inputs") ?? [0]
            if let bad = rows.first(where: { !(0..<data.rows).contains($0) }) { throw InputError("--inputs: row \(bad) is outside the \(data.rows) recorded samples") }
            let bounds = VisualizeOptions.bounds(data)
            let flat = loaded.model.inputShape.count != 3
            let window = self.window ?? (flat ? 1 : 6), stride = self.stride ?? (flat ? 1 : 2)
            let (svg, lines) = try FeatureFigures.occlusion(loaded.model, inputs: data.gatherRows(rows), labels: rows.map { labels[$0] }, window: window, stride: stride,
                                                            baseline: baseline ?? (bounds.low + bounds.high) / 2)
            try options.write(svg, loaded: loaded, name: "occlusion", lines: lines)
        }
    }
}
