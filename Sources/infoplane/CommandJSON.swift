import Experiments
import Foundation

/// What `train`, `record` and `run` did to each run, as `--json` prints it.
struct RunJSON: Encodable {
    var path: String
    /// trained, resumed, skipped, diverged, failed or interrupted.
    var status: String
    /// Epochs trained in all (0 for `record`).
    var epochs: Int
    var seconds: Double
    var trainLoss: Double?
    var trainAccuracy: Double?
    /// null when the run has no test split.
    var testLoss: Double?
    var testAccuracy: Double?
    var error: String?

    init(_ outcome: RunOutcome) {
        path = outcome.path
        status = outcome.status.rawValue
        epochs = outcome.epochs
        seconds = outcome.seconds
        trainLoss = outcome.finalMetrics.flatMap { finiteOrNil($0.trainLoss) }
        trainAccuracy = outcome.finalMetrics.flatMap { finiteOrNil($0.trainAccuracy) }
        testLoss = outcome.finalMetrics.flatMap { finiteOrNil($0.testLoss) }
        testAccuracy = outcome.finalMetrics.flatMap { finiteOrNil($0.testAccuracy) }
        error = outcome.error
    }
}

/// The training part of a command: the runs as they ended and the folders holding them.
/// Filled as the command goes, so that `--json` reports a run stopped by a signal too.
struct TrainResult {
    /// Whether training began (the configuration was valid): only then is JSON printed.
    var started = false
    var outcomes: [RunOutcome] = []
    var folders: [String] = []

    struct JSON: Encodable {
        var runs: [RunJSON]
        var folders: [String]
    }

    var json: JSON { JSON(runs: outcomes.map(RunJSON.init), folders: folders) }
}

/// Files a command wrote into one folder (figures, visualisations, exports), as `--json` prints them.
struct FilesJSON: Encodable {
    var folder: String
    var files: [String]
    var notes: [String] = []
}
