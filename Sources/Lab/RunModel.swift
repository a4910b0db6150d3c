import Networks
import Recording
import Tensor

/// A trained model rebuilt from a run file: the architecture from the run's stored
/// configuration, the parameters of a logged epoch (or the newest checkpoint).
public struct RunModel {
    public let run: RunFile
    public let model: Sequential
    /// The logged epoch whose parameters were loaded.
    public let epoch: Int

    /// - Parameter epoch: a logged epoch; nil for the latest state.
    /// - Throws: ``ConfigError`` when the stored configuration does not parse,
    ///   `RunFileError` when the run lacks the epoch or its parameters do not fit.
    public static func load(_ path: String, epoch: Int?) throws -> RunModel {
        let run = try RunFile.open(path)
        guard let experiment = try ExperimentLoader.parse(run.config, file: "\(path) (config attribute)").first else {
            throw ConfigError(file: path, keyPath: "config", "the stored configuration has no experiment")
        }
        let inputs = try run.inputs()
        var model = try ModelFactory.build(experiment.config.model, sampleShape: Array(inputs.shape.dropFirst()),
                                           classes: try run.classCount(), seed: run.seed, file: path)
        let loaded = try run.loadParameters(into: &model, epoch: epoch)
        return RunModel(run: run, model: model, epoch: loaded)
    }
}
