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

/// The options every `infoplane visualize` tool shares.
struct VisualizeOptions: ParsableArguments {
    @Argument(help: "A run file.")
    var path: String

    @Option(help: "A logged epoch, or last.")
    var epoch = "last"

    @Option(help: "Folder for figures (they go to <plots>/<experiment>/visualize/).")
    var plots = "plots"

    @Option(help: "Seed of the random starts and jitter.")
    var seed: UInt64 = 0

    @OptionGroup var output: OutputOptions

    /// The run's model at the epoch, its recorded inputs and labels.
    func load() throws -> (RunModel, Tensor, [Int]) {
        let wanted: Int?
        if epoch == "last" { wanted = nil } else {
            guard let value = Int(epoch) else { throw InputError("--epoch \(epoch): expected a logged epoch number or last") }
            wanted = value
        }
        return try Self.wrap {
            let loaded = try RunModel.load(path, epoch: wanted)
            return (loaded, try loaded.run.inputs(), try loaded.run.labels().map(Int.init))
        }
    }

    /// Input errors (files, layers, epochs) as exit code 2.
    static func wrap<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as ExplanationError {
            throw InputError("\(error)")
        } catch let error as RunFileError {
            throw InputError("\(error)")
        } catch let error as ConfigError {
            throw InputError("\(error)")
        }
    }

    /// The recorded inputs' range, for clipping and baselines.
    static func bounds(_ inputs: Tensor) -> (low: Float, high: Float) {
        (inputs.scalars.min() ?? 0, max(inputs.scalars.max() ?? 1, (inputs.scalars.min() ?? 0) + 1e-6))
    }

    func write(_ figure: ImageGridFigure, experiment: String, name: String, lines: [String]) throws {
        try Self.write(figure.svg, to: Self.folder(plots, experiment), name: name, lines: lines, output: output)
    }

    /// `<plots>/<experiment>/visualize`.
    static func folder(_ plots: String, _ experiment: String) -> String {
        ((plots as NSString).appendingPathComponent(PathComponent.sanitized(experiment)) as NSString).appendingPathComponent("visualize")
    }

    /// Writes the figure (SVG, and PNG when rsvg-convert is there) and prints the tool's lines.
    static func write(_ svg: SVG, to folder: String, name: String, lines: [String], output: OutputOptions) throws {
        let (files, note) = try svg.write(to: folder, name: name)
        if let note { output.logger().notice("\(note)") }
        guard !output.quiet else { return }
        for line in lines { print(line) }
        print("figure: \(files.joined(separator: ", "))")
    }
}

func parseList(_ text: String?, _ option: String) throws -> [Int]? {
    guard let text else { return nil }
    let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { throw InputError("\(option) \(text): expected comma-separated integers") }
    return values.compactMap { $0 }
}

/// `infoplane visualize`: what the units of a trained model respond to.
struct VisualizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visualize",
        abstract: "Feature visualisation: filters, top-activating patches, activation maximisation, inversion, occlusion, t-SNE across epochs.",
        discussion: """
        Each tool rebuilds the model of RUN.h5 at a logged epoch (or, for tsne, reads the \
        recorded activations) and writes <plots>/<experiment>/visualize/<tool>.svg and .png. \
        See docs/explanations.md.

        Examples:
          infoplane visualize filters results/fashion-cnn/run-1.h5
          infoplane visualize patches results/fashion-cnn/run-1.h5 --layer conv2 --k 8
          infoplane visualize maximize results/fashion-cnn/run-1.h5 --classes 0,1,2 --presets none,yosinski3
          infoplane visualize invert results/fashion-cnn/run-1.h5 --layers conv1,conv2,dense1
          infoplane visualize occlusion results/fashion-cnn/run-1.h5 --inputs 0,1,2,3
          infoplane visualize tsne results/quick/run-1.h5 --layer hidden5
        """,
        subcommands: [Filters.self, Patches.self, Maximize.self, Invert.self, OcclusionTool.self, TSNETool.self]
    )

    struct Filters: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "filters", abstract: "Conv kernels as images (the first conv layer by default).")
        @OptionGroup var options: VisualizeOptions
        @Option(help: "A Conv2D layer's name.") var layer: String?
        func run() throws {
            let (loaded, _, _) = try options.load()
            let (svg, lines) = try VisualizeOptions.wrap { try FeatureFigures.filters(loaded.model, layer: layer) }
            try options.write(svg, experiment: loaded.run.experiment, name: "filters_\(layer ?? "first")", lines: lines)
        }
    }

    struct Patches: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "patches", abstract: "The recorded inputs that activate each channel most, cropped to its receptive field.")
        @OptionGroup var options: VisualizeOptions
        @Option(help: "The layer.") var layer: String
        @Option(help: "Channels, comma-separated (default: the first 8).") var channels: String?
        @Option(help: "Unit position row,column (default: each input's strongest position).") var position: String?
        @Option(help: "Patches per channel.") var k = 8
        @Option(help: "Where to search: recorded (the run's recorded samples), test or train (the configured data set's split).") var data = "recorded"
        func run() throws {
            let (loaded, recorded, _) = try options.load()
            guard ["recorded", "test", "train"].contains(data) else { throw InputError("--data \(data): expected recorded, test or train") }
            let inputs = data == "recorded" ? recorded : try VisualizeOptions.wrap { try loaded.data(split: data).inputs }
            let where_ = try parseList(position, "--position")
            guard where_ == nil || where_!.count == 2 else { throw InputError("--position \(position ?? ""): expected row,column") }
            let chosen = try parseList(channels, "--channels")
            let (svg, lines) = try VisualizeOptions.wrap {
                try FeatureFigures.patches(loaded.model, inputs: inputs, layer: layer, channels: chosen, k: k,
                                           position: where_.map { ($0[0], $0[1]) })
            }
            try options.write(svg, experiment: loaded.run.experiment, name: "patches_\(layer)", lines: lines)
        }
    }

    struct Maximize: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "maximize", abstract: "Inputs that maximise class scores or units (gradient ascent with Yosinski et al.'s regularisers).")
        @OptionGroup var options: VisualizeOptions
        @Option(help: "Classes whose logit to maximise, comma-separated (default: all when no --layer).") var classes: String?
        @Option(help: "Maximise channels of this layer instead.") var layer: String?
        @Option(help: "Channels of --layer (mean over positions), comma-separated.") var channels: String?
        @Option(help: "Regularisation presets: none, yosinski1, yosinski2, yosinski3, yosinski4, or all.") var presets = "none,yosinski3"
        @Option(help: "Gradient steps.") var steps = 200
        @Option(help: "Mean change per step, as a fraction of the input range.") var stepSize: Float = 0.01
        func run() throws {
            let (loaded, inputs, _) = try options.load()
            let model = loaded.model
            var objectives: [(name: String, objective: FeatureObjective)] = []
            if let layer {
                let index = try VisualizeOptions.wrap { try FeatureFigures.layerIndex(model, layer) }
                for c in try parseList(channels, "--channels") ?? Array(0..<min(model.outputShapes[index].last ?? 1, 8)) {
                    objectives.append(("\(layer) c\(c)", .unit(layer: index, channel: c, row: nil, column: nil)))
                }
            } else {
                for c in try parseList(classes, "--classes") ?? Array(0..<model.outputSize) { objectives.append(("class \(c)", .classScore(c))) }
            }
            let names = presets == "all" ? ["none", "yosinski1", "yosinski2", "yosinski3", "yosinski4"] : presets.split(separator: ",").map(String.init)
            let bounds = VisualizeOptions.bounds(inputs)
            let (svg, lines) = try VisualizeOptions.wrap {
                try FeatureFigures.maximize(model, objectives: objectives, presets: names, steps: steps,
                                            stepSize: stepSize * (bounds.high - bounds.low), bounds: bounds, seed: options.seed)
            }
            try options.write(svg, experiment: loaded.run.experiment, name: layer.map { "maximize_\($0)" } ?? "maximize_classes", lines: lines)
        }
    }

    struct Invert: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "invert", abstract: "Reconstruct inputs from a layer's representation (Mahendran & Vedaldi 2015).")
        @OptionGroup var options: VisualizeOptions
        @Option(help: "Layers, comma-separated (default: every Conv2D and Dense layer but the output).") var layers: String?
        @Option(help: "Rows of the recorded samples, comma-separated.") var inputs = "0"
        @Option(help: "Random starts per inversion.") var starts = 3
        @Option(help: "Gradient steps.") var steps = 300
        func run() throws {
            let (loaded, data, _) = try options.load()
            let model = loaded.model
            let names = layers.map { $0.split(separator: ",").map(String.init) }
                ?? model.layers.dropLast().filter { $0 is any AffineLayer }.map(\.name)
            let rows = try parseList(inputs, "--inputs") ?? [0]
            if let bad = rows.first(where: { !(0..<data.rows).contains($0) }) { throw InputError("--inputs: row \(bad) is outside the \(data.rows) recorded samples") }
            let (svg, lines) = try VisualizeOptions.wrap {
                try FeatureFigures.invert(model, inputs: data, rows: rows, layers: names, starts: starts, steps: steps,
                                          bounds: VisualizeOptions.bounds(data), seed: options.seed)
            }
            try options.write(svg, experiment: loaded.run.experiment, name: "invert", lines: lines)
        }
    }

    struct OcclusionTool: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "occlusion", abstract: "The true class's probability with a grey square over each place.")
        @OptionGroup var options: VisualizeOptions
        @Option(help: "Rows of the recorded samples, comma-separated.") var inputs = "0,1,2,3"
        @Option(help: "Square side in pixels.") var window = 6
        @Option(help: "Stride in pixels.") var stride = 2
        @Option(help: "The square's value (default: the middle of the input range, grey).") var baseline: Float?
        func run() throws {
            let (loaded, data, labels) = try options.load()
            let rows = try parseList(inputs, "--inputs") ?? [0]
            if let bad = rows.first(where: { !(0..<data.rows).contains($0) }) { throw InputError("--inputs: row \(bad) is outside the \(data.rows) recorded samples") }
            let bounds = VisualizeOptions.bounds(data)
            let (svg, lines) = try VisualizeOptions.wrap {
                try FeatureFigures.occlusion(loaded.model, inputs: data.gatherRows(rows), labels: rows.map { labels[$0] }, window: window, stride: stride,
                                             baseline: baseline ?? (bounds.low + bounds.high) / 2)
            }
            try options.write(svg, experiment: loaded.run.experiment, name: "occlusion", lines: lines)
        }
    }

    struct TSNETool: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "tsne", abstract: "t-SNE of a layer's recorded activations at several epochs, aligned, next to its information plane.",
                                                        discussion: "Writes tsne_<layer>.svg/.png (at most six epochs shown) and tsne_<layer>.h5 with every embedded epoch: /embedding [epoch, sample, 2], /epochs, /labels, /kl_divergence.")
        @Argument(help: "A run file.") var path: String
        @Option(help: "The layer.") var layer: String
        @Option(help: "Logged epochs, comma-separated; all (every logged epoch, or every --every-th); default: 4 spread on a log scale.") var epochs: String?
        @Option(help: "With --epochs all: take every n-th logged epoch.") var every = 1
        @Option(help: "Use the first n recorded samples (default: all; the exact gradient up to 2500, Barnes–Hut beyond).") var samples: Int?
        @Option(help: "Perplexity.") var perplexity: Double = 30
        @Option(help: "Iterations after early exaggeration.") var iterations = 500
        @Option(help: "Folder for figures.") var plots = "plots"
        @OptionGroup var output: OutputOptions
        func run() throws {
            let run = try VisualizeOptions.wrap { try RunFile.open(path) }
            guard every >= 1 else { throw InputError("--every \(every): expected at least 1") }
            let chosen = epochs == "all" ? stride(from: 0, to: run.loggedEpochs.count, by: every).map { run.loggedEpochs[$0] }
                : try parseList(epochs, "--epochs")
            let folder = VisualizeOptions.folder(plots, run.experiment)
            let dataFile = (folder as NSString).appendingPathComponent("tsne_\(layer).h5")
            let (svg, lines) = try VisualizeOptions.wrap {
                try FeatureFigures.tsne(run, layer: layer, epochs: chosen, samples: samples, tsne: TSNE(perplexity: perplexity, iterations: iterations),
                                        dataFile: dataFile)
            }
            try VisualizeOptions.write(svg, to: folder, name: "tsne_\(layer)", lines: lines, output: output)
        }
    }
}
