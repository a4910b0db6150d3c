import Analysis
import Foundation
import Recording

/// What a results root holds, found by walking it without following symbolic links:
/// every folder with run files or an analysis, by its path relative to the root. The
/// browser looks folders up here by that relative path and never joins a request's text
/// to a file path, so nothing outside the root can be named.
package struct ResultsCatalog: Sendable {
    package struct Folder: Sendable {
        /// Relative to the root, `/`-separated (`quick`, `sw/learning_rate=0.01`).
        package var name: String
        package var path: String
        package var runs: [String]
        package var analysis: String?
    }

    package var root: String
    package var folders: [Folder]

    /// At most this many entries are looked at and this deep (a huge or looping tree is
    /// cut, not walked for ever).
    static let entryLimit = 100_000, depthLimit = 8

    package init(root: String) {
        self.root = root
        var found: [String: Folder] = [:]
        let base = URL(fileURLWithPath: root).standardizedFileURL
        var stack: [(URL, Int)] = [(base, 0)]
        var seen = 0
        while let (folder, depth) = stack.popLast(), seen < Self.entryLimit {
            let entries = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.isSymbolicLinkKey, .isDirectoryKey, .isRegularFileKey])) ?? []
            seen += entries.count
            for entry in entries.sorted(by: { $0.lastPathComponent < $1.lastPathComponent }) {
                guard let values = try? entry.resourceValues(forKeys: [.isSymbolicLinkKey, .isDirectoryKey, .isRegularFileKey]),
                      values.isSymbolicLink != true else { continue }
                let name = entry.lastPathComponent
                if values.isDirectory == true {
                    if depth < Self.depthLimit, !name.hasPrefix(".") { stack.append((entry, depth + 1)) }
                    continue
                }
                guard values.isRegularFile == true, name.hasSuffix(".h5"), name == "analysis.h5" || (name.hasPrefix("run-") && !name.contains(".shard-")) else { continue }
                let relative = Array(folder.pathComponents.dropFirst(base.pathComponents.count)).joined(separator: "/")
                var entry = found[relative] ?? Folder(name: relative.isEmpty ? "." : relative, path: folder.path, runs: [], analysis: nil)
                if name == "analysis.h5" { entry.analysis = folder.appendingPathComponent(name).path } else { entry.runs.append(folder.appendingPathComponent(name).path) }
                found[relative] = entry
            }
        }
        folders = found.values.sorted { $0.name < $1.name }
    }

    package func folder(named name: String) -> Folder? { folders.first { $0.name == name } }

    /// Folders below `name` (itself included) that hold an analysis: a sweep's variants.
    package func analysed(under name: String) -> [Folder] {
        folders.filter { $0.analysis != nil && ($0.name == name || name == "." || $0.name.hasPrefix(name + "/")) }
    }

    /// Parent folders holding two or more analysed folders: what can be compared.
    package var comparable: [String] {
        var parents: [String: Int] = [:]
        for folder in folders where folder.analysis != nil {
            let parts = folder.name.split(separator: "/")
            guard parts.count > 1 else { continue }
            parents[parts.dropLast().joined(separator: "/"), default: 0] += 1
        }
        return parents.filter { $0.value > 1 }.keys.sorted()
    }
}
