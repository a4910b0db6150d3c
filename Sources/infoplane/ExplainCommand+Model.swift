import Experiments
import Foundation
import Recording

extension ExplainCommand {
    /// Whether the argument names a model file of another framework (ONNX, `.keras`, a
    /// Keras HDF5 file) rather than a run file.
    static func isModelFile(_ path: String) -> Bool {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "onnx", "keras": true
        case "h5", "hdf5": FileManager.default.fileExists(atPath: path) && !RunFile.isRunFile(path)
        default: false
        }
    }

    /// `explain MODEL --data FILE`: the model imported and recorded as `record` does, on one
    /// sample of the data file, in a temporary folder (removed by the caller); the report then
    /// explains --data's samples, with the input bounds of --data.
    /// - Returns: the run file and the folder to remove.
    func recordedModel(_ model: String) throws -> (run: String, folder: URL) {
        guard let data else { throw InputError("\(model) is a model file: name the samples to explain with --data FILE") }
        if let epoch = target.epoch.number, epoch != 0 {
            throw InputError("\(model) is a model file, one state (epoch 0); --epoch \(epoch) is for runs")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-explain-\(UUID().uuidString)")
        do {
            let experiments = try RecordCommand.experiments(model: model, data: data, inputs: dataInputs, labels: dataLabels, layout: layout,
                                                           trainFraction: 0, samples: 1, seed: 1, name: nil)
            var quiet = output
            quiet.quiet = true
            var settings = TrainSettings(output: quiet)
            settings.results = folder.path
            settings.jobs = 1
            var recorded = TrainResult()
            try TrainCommand.train(experiments, settings: settings, into: &recorded)
            guard let runs = recorded.folders.first else { throw InputError("\(model): the model was not recorded") }
            return ("\(runs)/run-1.h5", folder)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }
}
