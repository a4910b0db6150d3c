import Diagnostics
import Foundation
import Glibc
#if canImport(Glibc)
import SafeFiles
#endif

/// Writes that cannot destroy inputs: the one check every `--output` passes before a
/// byte is written.
public enum OutputFile {
    /// Why an output path is refused.
    public struct Refusal: LabError {
        public var failure: FailureKind { .input }

        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Checks that `path` may be written: not one of the command's `inputs` (compared
    /// after resolving links), not an existing file unless `force`, never anything but a
    /// regular file, and in an existing folder.
    public static func check(_ path: String, inputs: [String], force: Bool) throws(Refusal) {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
        for input in inputs where URL(fileURLWithPath: input).resolvingSymlinksInPath().standardizedFileURL.path == target {
            throw Refusal(path: path, reason: "is an input of this command; choose another output")
        }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            let kind = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
            guard kind == .typeRegular, !isFolder.boolValue else {
                throw Refusal(path: path, reason: isFolder.boolValue ? "is a folder" : "is not a regular file")
            }
            guard force else { throw Refusal(path: path, reason: "exists; pass --force to replace it") }
        }
        let folder = PathComponent.folder(of: path)
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
            throw Refusal(path: path, reason: "no such folder: \(folder)")
        }
    }
}

extension OutputFile {
    /// Writes `path` whole or not at all: `build` makes the new file under
    /// `<path><suffix>` (a leftover of a crash there is unlinked first, never followed),
    /// which is flushed and then renamed over `path` (``AtomicFile/replace(_:suffix:_:)``).
    /// A failure or a crash leaves the old file, or none, never a half-written one; the
    /// temporary file is removed on failure.
    public static func replaceAtomically(_ path: String, suffix: String = ".tmp-\(getpid())", _ build: (String) throws -> Void) throws {
        try AtomicFile.replace(path, suffix: suffix, build)
    }
}
