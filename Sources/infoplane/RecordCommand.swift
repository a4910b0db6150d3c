import ArgumentParser
import Configuration
import Datasets
import Experiments
import Foundation
import ModelImport
import Recording
import Yams

/// `infoplane record MODEL --data DATA`: a model of another framework as a run file.
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Import an ONNX or Keras model and record every layer's activations on your data, as a run file.",
        discussion: """
        Reads the model (ONNX from torch.onnx.export or tf2onnx; Keras from model.save("m.keras") or model.save("m.h5")) \
        into the lab's layers, evaluates it on the data and writes results/<name>/run-<seed>.h5: \
        a run of 0 epochs whose one logged epoch (0) holds the model's weights and every layer's \
        activations, with the model file's format and SHA-256 in its attributes. Every command \
        then works on it: analyze (I(X;T), I(T;Y) per layer), explain, visualize, inspect, export. \
        A final softmax is dropped (the lab works on logits); image data in NCHW order (PyTorch) \
        is transposed to the lab's NHWC, the layout inferred from the model's input when not given.

        Examples:
          infoplane record examples/byom/var_u_mlp.onnx \\
              --data examples/byom/var_u.npz
          infoplane record examples/byom/fashion_cnn.onnx \\
              --data examples/byom/fashion_test.npz --samples 500
          infoplane record examples/byom/var_u_keras.h5 --data data/var_u.mat \\
              --inputs F --labels y --name var_u_keras
        """
    )

    @Argument(help: "The model: an ONNX (.onnx), Keras (.keras) or Keras HDF5 (.h5) file.")
    var model: String

    @Option(help: ArgumentHelp("The samples: .npz (arrays named by --inputs and --labels), .npy (inputs; labels in --labels FILE.npy), .h5/.hdf5 or .mat.", valueName: "file"))
    var data: String

    @Option(help: ArgumentHelp("The inputs' name in the data file (default: x; F for .mat).", valueName: "name"))
    var inputs: String?

    @Option(help: ArgumentHelp("The labels' name in the data file (default: y), or for .npy inputs the labels' .npy file.", valueName: "name|file"))
    var labels: String?

    @Option(help: ArgumentHelp("Axis order of 4-D image inputs: nchw (PyTorch) or nhwc (Keras); default: the one that fits the model.", valueName: "nchw|nhwc"))
    var layout: String?

    @Option(help: ArgumentHelp("Share of the samples counted as training data in the run's metrics; the rest are test data (default 0: all are test data).", valueName: "fraction"))
    var trainFraction: Double = 0

    @Option(help: ArgumentHelp("Record a seeded subset of n samples (default: all, or 1000 of more than 10000).", valueName: "n"))
    var samples: Int?

    @Option(help: ArgumentHelp("The experiment's name, the results folder (default: the model file's name).", valueName: "name"))
    var name: String?

    @Option(help: "The run's seed (it picks the split and the recorded subset).")
    var seed: Int = 1

    @Option(help: "Folder for run files.")
    var results = "results"

    @Flag(help: "Replace an existing run file.")
    var force = false

    @Flag(help: "Print the recorded run as JSON (path, status, accuracies and losses of the model as it is).")
    var json = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let layout, ImageLayout(rawValue: layout) == nil { throw ValidationError("--layout must be nchw or nhwc, got \"\(layout)\"") }
        if !(0...1).contains(trainFraction) { throw ValidationError("--train-fraction must be within 0…1") }
        if let samples, samples < 1 { throw ValidationError("--samples must be at least 1") }
        if !(0...Int(Int32.max)).contains(seed) { throw ValidationError("--seed must be within 0…\(Int32.max)") }
    }

    func run() throws {
        let imported: ImportedModel
        do { imported = try ModelImporter.load(model) } catch { throw InputError(wrapping: error) }
        let experiments = try Self.experiments(model: model, data: data, inputs: inputs, labels: labels, layout: layout,
                                               trainFraction: trainFraction, samples: samples, seed: seed, name: name)
        var settings = TrainSettings(output: output)
        settings.completeHint = "--force records it again"
        settings.force = force
        settings.results = results
        settings.jobs = 1
        settings.json = json
        var recorded = TrainResult()
        defer { if json && recorded.started { try? writeJSON(recorded.json) } }
        try TrainCommand.train(experiments, settings: settings, into: &recorded)
        let folders = recorded.folders
        // What the import changed, said once the run is written (an error stays one line).
        let logger = output.logger()
        for note in imported.notes { logger.notice("\(model): \(note)") }
        if !output.quiet && !json, let folder = folders.first {
            print("next: infoplane analyze \(folder) && infoplane plot \(folder); infoplane explain \(folder)/run-\(seed).h5")
        }
    }

    /// The experiment `record` runs (and `explain MODEL --data FILE` before it explains):
    /// the model imported, 0 epochs, its one state recorded on the data file's samples.
    static func experiments(model: String, data file: String, inputs: String?, labels: String?, layout: String?, trainFraction: Double,
                            samples: Int?, seed: Int, name: String?) throws -> [Experiment] {
        let experimentName = PathComponent.sanitized(name ?? DatasetLoaders.baseName(model))
        var data = try DataFileSpec.items(file: file, inputs: inputs, labels: labels, layout: layout)
        data.append(("train_fraction", Node(String(trainFraction))))
        var recording: [(String, Node)] = [("schedule", "every_epoch"), ("weights", "true")]
        if let samples { recording.append(("samples", Self.mapping([("subset", Node(String(samples)))]))) }
        let root = Self.mapping([
            ("name", Node(experimentName)),
            ("description", Node("\(model) recorded on \(file) by infoplane record")),
            ("seed", Node(String(seed))),
            ("data", Self.mapping(data)),
            ("model", Self.mapping([("from", Node(model))])),
            ("training", Self.mapping([("epochs", "0"), ("optimizer", Self.mapping([("kind", "adam"), ("learning_rate", "0.001")]))])),
            ("recording", Self.mapping(recording)),
            ("analysis", Self.mapping([("estimators", .sequence(Node.Sequence([
                Self.mapping([("kind", "adaptive"), ("bins", "30")]),
                Self.mapping([("kind", "kde"), ("noise_variance", "0.1")]),
            ])))])),
        ])
        do {
            let text = try Yams.serialize(node: root)
            return try ExperimentLoader.parse(text, file: "record \(model)", importingModels: true)
        } catch let error as ConfigError {
            throw InputError(wrapping: error)
        }
    }

    static func mapping(_ pairs: [(String, Node)]) -> Node {
        .mapping(Node.Mapping(pairs.map { (Node($0.0), $0.1) }))
    }
}
