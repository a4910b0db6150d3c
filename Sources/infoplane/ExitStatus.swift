import ArgumentParser
import Analysis
import Attribution
import Datasets
import Embedding
import FeatureVisualization
import Experiments
import HDF5
import Networks
import Recording

/// The one mapping from errors to exit codes and stderr lines, used by every command.
///
/// - 0: success (and `--help`, `--version`).
/// - 1: a runtime failure: training diverged, a write failed (disk full), anything
///   unexpected.
/// - 2: bad usage or bad input: an argument, a config key, a data file, a run or
///   analysis file that is missing, of the wrong kind, or damaged.
///
/// Every message is one line, `infoplane: ` first.
enum ExitStatus {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let badInput: Int32 = 2

    /// The exit code for an error thrown by a command.
    static func code(for error: any Error) -> Int32 {
        switch error {
        case is InputError, is ConfigError, is DatasetError, is RunFileError, is NetworkError, is ValidationError,
             is ExplanationError, is FeatureVisualizationError, is EmbeddingError, is OutputFile.Refusal, is AnalysisError,
             is WriterLock.Held:
            return badInput
        case let error as HDF5Error:
            return isWriteCall(error.call) ? failure : badInput
        case is TrainingDiverged:
            return failure
        case let error as ExitCode:
            return error.rawValue
        default:
            return failure
        }
    }

    /// HDF5 calls that change a file: their failure is the machine's (disk, permissions
    /// of the output folder), not the input's.
    static func isWriteCall(_ call: String) -> Bool {
        ["H5Dwrite", "H5Fcreate", "H5Fflush", "H5Dcreate2", "H5Gcreate2", "H5Acreate2", "H5Awrite", "H5Dset_extent", "H5Dflush", "H5Ocopy"]
            .contains(call)
    }

    /// One line for stderr: the message with its newlines folded.
    static func line(for error: any Error) -> String {
        let text = "\(error)".split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
        return "infoplane: " + text
    }
}
