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
    @OptionGroup var target: RunEpochOptions
    var path: String { target.path }

    @Option(help: "Folder for figures (they go to <plots>/<experiment>[/<variant>]/run-<seed>/epoch-<k>/visualize/; t-SNE across epochs to …/run-<seed>/visualize/).")
    var plots = "plots"

    @Flag(help: "Print what was written as JSON: the folder, the files and the summary lines.")
    var json = false

    @OptionGroup var output: OutputOptions

    /// The run's model at the epoch, its recorded inputs and labels.
    func load() throws -> (RunModel, Tensor, [Int]) {
        let wanted = target.epoch.number
        let loaded = try RunModel.load(path, epoch: wanted)
        return (loaded, try loaded.run.inputs(), try loaded.run.labels().map(Int.init))
    }

    /// The recorded inputs' range, for clipping and baselines.
    static func bounds(_ inputs: Tensor) -> (low: Float, high: Float) {
        (inputs.scalars.min() ?? 0, max(inputs.scalars.max() ?? 1, (inputs.scalars.min() ?? 0) + 1e-6))
    }

    func write(_ figure: ImageGridFigure, loaded: RunModel, name: String, lines: [String]) throws {
        let folder = OutputPlace.folder(plots: plots, runPath: path, experiment: loaded.run.experiment, epoch: loaded.epoch, tool: "visualize")
        try Self.write(figure.svg, to: folder, name: name, lines: lines, output: output, json: json)
    }

    /// Writes the figure; says where (unless quiet), or prints it as JSON with the
    /// summary lines as notes and `more` files written beside it.
    static func write(_ svg: SVG, to folder: String, name: String, lines: [String], output: OutputOptions, json: Bool, more: [String] = []) throws {
        let (files, note) = try svg.write(to: folder, name: name)
        if let note { output.logger().notice("\(note)") }
        if json { return try writeJSON(FilesJSON(folder: folder, files: files + more, notes: lines)) }
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
        recorded activations) and writes <plots>/<experiment>[/<variant>]/run-<seed>/epoch-<k>/visualize/<tool>.svg and .png. \
        See docs/explanations.md.

        Examples:
          infoplane visualize filters results/fashion-cnn/run-1.h5
          infoplane visualize patches results/fashion-cnn/run-1.h5 --layer conv2 \\
              --top 8
          infoplane visualize maximize results/fashion-cnn/run-1.h5 --classes 0,1,2 \\
              --presets none,yosinski3
          infoplane visualize invert results/fashion-cnn/run-1.h5 \\
              --layers conv1,conv2,dense1
          infoplane visualize occlusion results/fashion-cnn/run-1.h5 \\
              --inputs 0,1,2,3
          infoplane visualize tsne results/quick/run-1.h5 --layer hidden5
        """,
        subcommands: [Filters.self, Patches.self, Maximize.self, Invert.self, OcclusionTool.self, TSNETool.self]
    )
}
