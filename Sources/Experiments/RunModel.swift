import Configuration
import Networks
import Recording
import Tensor

/// A trained model rebuilt from a run file: the architecture the run recorded (its
/// stored configuration's in version-1 files), the parameters of a logged epoch (or the
/// newest checkpoint).
package struct RunModel {
    package let run: RunFile
    package let model: Sequential
    /// The logged epoch whose parameters were loaded.
    package let epoch: Int

    /// The run's whole data set as configured (not only the recorded samples): the
    /// inputs and labels of its `train` or `test` split.
    package func data(split: String) throws -> (inputs: Tensor, labels: [Int]) {
        guard let experiment = try ExperimentLoader.parse(run.config, file: "\(run.path) (config attribute)").first else {
            throw ConfigError(file: run.path, keyPath: "config", "the stored configuration has no experiment")
        }
        let prepared = try PreparedData.load(experiment.config.data, model: experiment.config.model, seed: experiment.config.seed, file: "\(run.path) (config attribute)")
        let rows = split == "train" ? prepared.split.train : prepared.split.test
        return (prepared.examples.inputs.gatherRows(rows), rows.map { Int(prepared.examples.labels[$0]) })
    }

    /// - Parameter epoch: a logged epoch; nil for the latest state.
    /// - Throws: ``ConfigError`` when the stored configuration does not parse,
    ///   `RunFileError` when the run lacks the epoch or its parameters do not fit.
    package static func load(_ path: String, epoch: Int?) throws -> RunModel {
        let run = try RunFile.open(path)
        if let writer = run.externalWriter {
            throw RunFileError(file: path, "was written by \(writer) from a training outside the lab and holds no model to rebuild; record the model's ONNX export on its samples and explain that run (TorchRecorder(onnx=True) writes it beside the run): infoplane record RUN.onnx --data RUN.h5 --inputs dataset/x --labels dataset/y")
        }
        guard let experiment = try ExperimentLoader.parse(run.config, file: "\(path) (config attribute)").first else {
            throw ConfigError(file: path, keyPath: "config", "the stored configuration has no experiment")
        }
        let inputs = try run.inputs()
        var model: Sequential
        if let architecture = try run.architecture() {
            // Format 2: the architecture as recorded; the parameters are loaded below.
            do {
                model = try architecture.build { _ in .drawn(.zeros, SeededRNG(seed: 0)) }.with(arithmetic: experiment.config.model.arithmetic)
            } catch {
                throw RunFileError(file: path, "model_architecture: \(error)")
            }
        } else {
            model = try ModelFactory.build(experiment.config.model, sampleShape: Array(inputs.shape.dropFirst()),
                                           classes: try run.classCount(), seed: run.seed, file: path)
        }
        let loaded = try run.loadParameters(into: &model, epoch: epoch)
        return RunModel(run: run, model: model, epoch: loaded)
    }
}
