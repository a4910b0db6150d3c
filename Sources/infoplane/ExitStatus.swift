import Analysis
import ArgumentParser
import Attribution
import Configuration
import Datasets
import Embedding
import Experiments
import FeatureVisualization
import Foundation
import HDF5
import Networks
import Recording
import SafeFiles

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
        case let error as InputError:
            return error.cause.map(isMachineFailure) == true ? failure : badInput
        case is ConfigError, is DatasetError, is RunFileError, is NetworkError, is ValidationError,
             is ExplanationError, is FeatureVisualizationError, is EmbeddingError, is OutputFile.Refusal, is AnalysisError,
             is WriterLock.Held:
            return badInput
        case let error as HDF5Error:
            return isWriteCall(error.call) ? failure : badInput
        case let error as FileSystemError:
            return error.isEnvironmental ? failure : badInput
        case is TrainingDiverged:
            return failure
        case let error as ExitCode:
            return error.rawValue
        default:
            return failure
        }
    }

    /// Whether `error` is the machine's failure (a full or read-only disk, a missing
    /// permission, a failed write), whatever command it was met in.
    static func isMachineFailure(_ error: any Error) -> Bool {
        switch error {
        case let error as FileSystemError: error.isEnvironmental
        case let error as HDF5Error: isWriteCall(error.call)
        case let error as CocoaError: error.code.rawValue >= CocoaError.fileWriteUnknown.rawValue && error.code.rawValue <= CocoaError.fileWriteVolumeReadOnly.rawValue
        case let error as InputError: error.cause.map(isMachineFailure) ?? false
        default: false
        }
    }

    /// HDF5 calls that change a file: their failure is the machine's (disk, permissions
    /// of the output folder), not the input's.
    static func isWriteCall(_ call: String) -> Bool {
        ["H5Dwrite", "H5Fcreate", "H5Fflush", "H5Dcreate2", "H5Gcreate2", "H5Acreate2", "H5Awrite", "H5Dset_extent", "H5Dflush", "H5Ocopy"]
            .contains(call)
    }

    /// One line for stderr: the message with its newlines folded. Foundation's errors
    /// (`NSCocoaErrorDomain …`) are said in words: the path and the system's reason.
    static func line(for error: any Error) -> String {
        let text = describe(error).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
        return "infoplane: " + text
    }

    /// The error's own description, or for Foundation's errors the path and the reason
    /// (the underlying `errno` in words when there is one).
    static func describe(_ error: any Error) -> String {
        guard let cocoa = error as? CocoaError else { return "\(error)" }
        let path = (cocoa.userInfo[NSFilePathErrorKey] as? String) ?? cocoa.filePath ?? cocoa.url?.path ?? "a file"
        if let posix = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
            return "\(path): \(FileSystemError.explain(Int32(posix.code)))"
        }
        let reason: String = switch cocoa.code {
        case .fileNoSuchFile, .fileReadNoSuchFile: "no such file or folder"
        case .fileReadNoPermission, .fileWriteNoPermission: "permission denied"
        case .fileWriteOutOfSpace: FileSystemError.explain(ENOSPC)
        case .fileWriteVolumeReadOnly: FileSystemError.explain(EROFS)
        case .fileWriteFileExists: "already exists"
        default: "the file operation failed (Foundation error \(cocoa.code.rawValue))"
        }
        return "\(path): \(reason)"
    }
}
