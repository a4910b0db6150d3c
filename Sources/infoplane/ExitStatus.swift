import Analysis
import ArgumentParser
import Attribution
import Configuration
import Datasets
import Diagnostics
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
    /// The lab's errors say whose failure they are (``LabError/failure``); ArgumentParser's
    /// usage errors are bad input; anything else is a runtime failure.
    static func code(for error: any Error) -> Int32 {
        switch error {
        case let error as any LabError:
            return error.failure == .input ? badInput : failure
        case let error as ExitCode:
            return error.rawValue
        case is ValidationError:
            return badInput
        default:
            return failure
        }
    }

    /// Whether `error` is the machine's failure (a full or read-only disk, a missing
    /// permission, a failed write), whatever command it was met in.
    static func isMachineFailure(_ error: any Error) -> Bool {
        if let error = error as? CocoaError {
            return error.code.rawValue >= CocoaError.fileWriteUnknown.rawValue && error.code.rawValue <= CocoaError.fileWriteVolumeReadOnly.rawValue
        }
        return isRuntimeFailure(error)
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
