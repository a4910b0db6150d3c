import Configuration
import Foundation
import Networks
import Recording
import Yams

/// One runnable variant of an experiment: its configuration and the YAML text that
/// produced it (after `--set` overrides and the sweep's values), stored in run files.
package struct Experiment: Sendable {
    package var config: ExperimentConfig
    /// The effective configuration as YAML.
    package var effectiveYAML: String
    /// For a sweep: `key=value,key=value` naming this variant (its results subfolder).
    package var variant: String?
    /// For a sweep: its values as YAML, one `key.path: value` line each (flow style), as
    /// stored in the run file's `sweep` attribute; empty otherwise.
    package var sweepYAML: String = ""
    package var file: String
}

/// Reads an experiment file, applies `--set` overrides and expands `sweep`.
package enum ExperimentLoader {
    /// Every variant of the experiment at `path`, validated.
    ///
    /// - Parameter overrides: `key.path=value` assignments (the value is YAML: `3`,
    ///   `relu`, `[10, 7]`); a key that the schema does not know is an error like one in
    ///   the file.
    /// - Parameter modelFrom: a model file (`--from`) that replaces the `model` section:
    ///   `model: {from: FILE}`, FILE relative to the working directory.
    package static func load(_ path: String, overrides: [String] = [], modelFrom: String? = nil) throws(ConfigError) -> [Experiment] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, keyPath: "", FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
        }
        let folder = PathComponent.folder(of: path)
        return try parse(String(decoding: data, as: UTF8.self), file: path, overrides: overrides,
                         relativeTo: folder.isEmpty ? "." : folder, importingModels: true, modelFrom: modelFrom,
                         absentArithmetic: .fused)
    }

    /// `root` with `model.arithmetic: arithmetic` written in when the model section does
    /// not name one, so that the effective configuration (and the run file that stores it)
    /// says which arithmetic trained the run.
    static func namingArithmetic(_ root: Node, _ arithmetic: Arithmetic) -> Node {
        guard case .mapping(var top) = root, case .mapping(var model)? = top["model"], model["arithmetic"] == nil else { return root }
        model[Node("arithmetic")] = Node(arithmetic.rawValue)
        top["model"] = .mapping(model)
        return .mapping(top)
    }

    /// The data keys that name files.
    static let fileKeys = ["path", "images", "folder", "split_file"]

    /// The config with its relative data paths made relative to `folder` (the config
    /// file's), except those given with `--set` (relative to the working directory, as a
    /// shell user expects). `labels` names a file only for IDX data.
    static func resolvingDataPaths(_ root: Node, relativeTo folder: String, overridden: [String]) -> Node {
        guard case .mapping(var top) = root, case .mapping(var data)? = top["data"] else { return root }
        var keys = fileKeys
        if data["source"]?.string == "idx" { keys.append("labels") }
        for key in keys where !overridden.contains("data.\(key)") {
            guard let value = data[Node(key)]?.string, !value.isEmpty, !value.hasPrefix("/") else { continue }
            let resolved = URL(fileURLWithPath: folder).appendingPathComponent(value).standardizedFileURL.path
            data[Node(key)] = Node(Self.relativeToWorkingDirectory(resolved))
        }
        top["data"] = .mapping(data)
        return .mapping(top)
    }

    /// `path` relative to the working directory when it lies below it (short, readable
    /// paths in messages and run files), else absolute.
    static func relativeToWorkingDirectory(_ path: String) -> String {
        let here = FileManager.default.currentDirectoryPath
        let prefix = here.hasSuffix("/") ? here : here + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    /// Every variant of an experiment given as YAML text (e.g. the effective
    /// configuration stored in a run file); `file` names it in errors.
    ///
    /// - Parameter relativeTo: the folder that relative data paths in the text are
    ///   relative to (the config file's); nil leaves them as written.
    /// - Parameter importingModels: read the file of `model.from` and write its
    ///   architecture into the configuration (a stored configuration has it already).
    /// - Parameter absentArithmetic: the `model.arithmetic` written into a model section
    ///   that names none: `fused` for configuration files (the default since run-file
    ///   configurations name it); nil for stored configurations, where an absent one
    ///   means `blas` (runs recorded before `fused` became the default).
    package static func parse(_ text: String, file path: String, overrides: [String] = [],
                             relativeTo folder: String? = nil, importingModels: Bool = false,
                             modelFrom: String? = nil, absentArithmetic: Arithmetic? = nil) throws(ConfigError) -> [Experiment] {
        var root = try ConfigReader.compose(text, file: path)
        var overridden: [String] = []
        if let modelFrom, case .mapping(var top) = root {
            top["model"] = .mapping(Node.Mapping([(Node("from"), Node(modelFrom))]))
            root = .mapping(top)
            overridden.append("model.from")
        }
        if let absentArithmetic { root = namingArithmetic(root, absentArithmetic) }
        for assignment in overrides {
            guard let equals = assignment.firstIndex(of: "=") else {
                throw ConfigError(file: "--set \(assignment)", keyPath: "", "expected key.path=value")
            }
            let key = String(assignment[..<equals]).trimmingCharacters(in: .whitespaces)
            let value = String(assignment[assignment.index(after: equals)...])
            let node: Node
            do {
                node = try Yams.compose(yaml: value) ?? Node("")
            } catch {
                throw ConfigError(file: "--set \(assignment)", keyPath: key, "the value is not valid YAML")
            }
            root = try NodePath.set(root, path: key, to: node, file: path)
            overridden.append(key)
        }
        if importingModels {
            root = try expandingImportedModel(root, relativeTo: folder, overridden: overridden, file: path)
        }
        if let folder { root = resolvingDataPaths(root, relativeTo: folder, overridden: overridden) }
        // Sweeps: every combination of the listed values, as further overrides.
        let sweep = try SweepSpec(root: root, file: path)
        root = NodePath.removing(root, key: "sweep")
        var experiments: [Experiment] = []
        for combination in sweep.combinations {
            var variantRoot = root
            for (key, value) in combination {
                variantRoot = try NodePath.set(variantRoot, path: key, to: value, file: path)
            }
            let config: ExperimentConfig
            do {
                config = try ExperimentConfig(ConfigReader(node: variantRoot, file: path))
            } catch {
                throw relocate(error, overridden: overridden, sweepKeys: combination.map(\.0))
            }
            let yaml = (try? Yams.serialize(node: variantRoot)) ?? text
            let variant = combination.isEmpty ? nil : PathComponent.sanitized(combination.map {
                "\($0.0.split(separator: ".").last.map(String.init) ?? $0.0)=\(NodePath.slug($0.1))"
            }.joined(separator: ","))
            let sweepYAML = combination.map { "\($0.0): \(NodePath.flowText($0.1))\n" }.joined()
            experiments.append(Experiment(config: config, effectiveYAML: yaml, variant: variant, sweepYAML: sweepYAML, file: path))
        }
        return experiments
    }

    /// Errors in values that came from `--set` or the sweep point there, not at a line.
    package static func relocate(_ error: ConfigError, overridden: [String], sweepKeys: [String]) -> ConfigError {
        var error = error
        if let key = overridden.first(where: { error.keyPath == $0 || error.keyPath.hasPrefix($0 + ".") }) {
            error.file = "--set \(key)"
            error.line = nil
            error.column = nil
        } else if let key = sweepKeys.first(where: { error.keyPath == $0 || error.keyPath.hasPrefix($0 + ".") }) {
            error.message += " (a value of sweep \(key))"
        }
        return error
    }
}

/// `sweep: {key.path: [values...], ...}`: the cartesian product of the values.
package struct SweepSpec {
    package var combinations: [[(String, Node)]]

    package init(root: Node, file: String) throws(ConfigError) {
        guard case .mapping(let mapping) = root, let sweepNode = mapping.first(where: { $0.key.string == "sweep" })?.value else {
            combinations = [[]]
            return
        }
        let reader = ConfigReader(node: sweepNode, file: file, path: "sweep")
        guard case .mapping(let sweep) = sweepNode else { throw reader.error("expected a mapping of key paths to lists of values") }
        var axes: [(String, [Node])] = []
        for (key, values) in sweep {
            guard let path = key.string, case .sequence(let list) = values, !list.isEmpty else {
                throw ConfigReader(node: values, file: file, path: "sweep.\(key.string ?? "?")").error("expected a non-empty list of values")
            }
            axes.append((path, Array(list)))
        }
        var result: [[(String, Node)]] = [[]]
        for (path, values) in axes {
            result = result.flatMap { prefix in values.map { prefix + [(path, $0)] } }
        }
        combinations = result
    }
}

/// Edits a YAML node tree by dotted key paths.
package enum NodePath {
    package static func set(_ root: Node, path: String, to value: Node, file: String) throws(ConfigError) -> Node {
        let keys = path.split(separator: ".").map(String.init)
        guard !keys.isEmpty else { throw ConfigError(file: "--set", keyPath: path, "empty key path") }
        return try set(root, keys: keys[...], value: value, file: file, fullPath: path)
    }

    private static func set(_ node: Node, keys: ArraySlice<String>, value: Node, file: String, fullPath: String) throws(ConfigError) -> Node {
        guard let key = keys.first else { return value }
        var pairs: [(Node, Node)] = []
        if case .mapping(let mapping) = node {
            pairs = mapping.map { ($0.key, $0.value) }
        } else if case .scalar(let scalar) = node, !scalar.string.isEmpty {
            throw ConfigError(file: file, keyPath: fullPath, "cannot set a key inside the value \"\(scalar.string)\"")
        }
        if let index = pairs.firstIndex(where: { $0.0.string == key }) {
            pairs[index].1 = try set(pairs[index].1, keys: keys.dropFirst(), value: value, file: file, fullPath: fullPath)
        } else {
            pairs.append((Node(key), try set(Node([(Node, Node)]()), keys: keys.dropFirst(), value: value, file: file, fullPath: fullPath)))
        }
        return Node(pairs)
    }

    package static func removing(_ root: Node, key: String) -> Node {
        guard case .mapping(let mapping) = root else { return root }
        return Node(mapping.filter { $0.key.string != key }.map { ($0.key, $0.value) })
    }

    /// A sweep value as a folder-name fragment: scalars as written, lists joined by `-`
    /// (`[8, 6, 4]` → `8-6-4`), mappings as `key-value` pairs.
    package static func slug(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return scalar.string
        case .sequence(let sequence): return sequence.map(slug).joined(separator: "-")
        case .mapping(let mapping): return mapping.map { "\(slug($0.key))-\(slug($0.value))" }.joined(separator: "-")
        default: return scalarText(node)
        }
    }

    /// A value as one line of YAML flow style: `[8, 6, 4]`, `{a: 1}`; scalars plain when
    /// they are simple words or numbers, double-quoted (JSON escapes) otherwise.
    package static func flowText(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            let text = scalar.string
            let plain = !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || "_.+-".contains($0) } && !text.hasPrefix("-")
                || Double(text) != nil
            if plain { return text }
            let escaped = text.unicodeScalars.map { c -> String in
                switch c {
                case "\\": return "\\\\"
                case "\"": return "\\\""
                case "\n": return "\\n"
                case "\t": return "\\t"
                default: return c.value < 0x20 ? String(format: "\\u%04x", c.value) : String(c)
                }
            }.joined()
            return "\"\(escaped)\""
        case .sequence(let sequence): return "[" + sequence.map(flowText).joined(separator: ", ") + "]"
        case .mapping(let mapping): return "{" + mapping.map { "\(flowText($0.key)): \(flowText($0.value))" }.joined(separator: ", ") + "}"
        default: return scalarText(node)
        }
    }

    package static func scalarText(_ node: Node) -> String {
        if case .scalar(let scalar) = node { return scalar.string }
        return (try? Yams.serialize(node: node).trimmingCharacters(in: .whitespacesAndNewlines)) ?? "?"
    }
}
