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
        @Flag(help: "Print what was written as JSON: the folder, the files and the summary lines.") var json = false
        @OptionGroup var output: OutputOptions
        func run() throws {
            let run = try RunFile.open(path)
            guard every >= 1 else { throw InputError("--every \(every): expected at least 1") }
            let recorded = try run.sampleCount()
            if let samples, !(1...recorded).contains(samples) {
                throw InputError("--samples \(samples): the run recorded \(recorded) samples; expected 1 to \(recorded)")
            }
            guard (1...TSNE.maximumIterations).contains(iterations) else {
                throw InputError("--iterations \(iterations): expected 1 to \(TSNE.maximumIterations)")
            }
            guard perplexity.isFinite else { throw InputError("--perplexity \(perplexity): expected a finite number") }
            let chosen = epochs == "all" ? stride(from: 0, to: run.loggedEpochs.count, by: every).map { run.loggedEpochs[$0] }
                : try parseList(epochs, "--epochs")
            let folder = OutputPlace.folder(plots: plots, runPath: path, experiment: run.experiment, epoch: nil, tool: "visualize")
            // The layer's name as the run file spells it: made safe before it names a file.
            let name = "tsne_" + PathComponent.sanitized(layer)
            let dataFile = (folder as NSString).appendingPathComponent(name + ".h5")
            let (svg, lines) = try FeatureFigures.tsne(run, layer: layer, epochs: chosen, samples: samples, tsne: TSNE(perplexity: perplexity, iterations: iterations),
                                                       dataFile: dataFile)
            try VisualizeOptions.write(svg, to: folder, name: name, lines: lines, output: output, json: json, more: [dataFile])
        }
    }
}
