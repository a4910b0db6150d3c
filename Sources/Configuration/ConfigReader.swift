import Foundation
import Yams

/// Reads typed values out of a YAML node tree, with errors that name the file, the
/// line and column, and the key path.
package struct ConfigReader {
    package let node: Node
    package let file: String
    package let path: String

    package init(node: Node, file: String, path: String = "") {
        self.node = node
        self.file = file
        self.path = path
    }

    package func error(_ message: String, at node: Node? = nil) -> ConfigError {
        let mark = (node ?? self.node).mark
        return ConfigError(file: file, line: mark.map { $0.line }, column: mark.map { $0.column }, keyPath: path, message)
    }

    package func child(_ key: String, _ node: Node) -> ConfigReader {
        ConfigReader(node: node, file: file, path: path.isEmpty ? key : "\(path).\(key)")
    }

    /// The entries of a mapping, checking that every key is one of `allowed`; an unknown
    /// key is an error that suggests the nearest valid name.
    package func mapping(allowed: [String]) throws(ConfigError) -> [String: ConfigReader] {
        guard case .mapping(let mapping) = node else {
            throw error("expected a mapping with keys \(allowed.joined(separator: ", ")), got \(describe(node))")
        }
        var entries: [String: ConfigReader] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { throw error("a key must be a string", at: keyNode) }
            let entryPath = path.isEmpty ? key : "\(path).\(key)"
            guard allowed.contains(key) else {
                let mark = keyNode.mark
                let hint = nearest(key, in: allowed).map { " (did you mean \"\($0)\"?)" } ?? " (valid keys: \(allowed.joined(separator: ", ")))"
                throw ConfigError(file: file, line: mark?.line, column: mark?.column, keyPath: entryPath, "unknown key\(hint)")
            }
            entries[key] = child(key, value)
        }
        return entries
    }

    package var scalarText: String? {
        if case .scalar(let scalar) = node { return scalar.string }
        return nil
    }

    package var isNull: Bool { node.null != nil || (scalarText ?? "x") == "" }

    package func string() throws(ConfigError) -> String {
        guard let text = scalarText else { throw error("expected a string, got \(describe(node))") }
        return text
    }

    /// One of the given names.
    package func choice(_ options: [String]) throws(ConfigError) -> String {
        let text = try string()
        guard options.contains(text) else {
            let hint = nearest(text, in: options).map { " (did you mean \"\($0)\"?)" } ?? ""
            throw error("\"\(text)\" is not one of \(options.joined(separator: ", "))\(hint)")
        }
        return text
    }

    /// One of an enum's cases, by its raw value: typed as soon as it is read.
    package func choice<E: RawRepresentable & CaseIterable>(_ type: E.Type) throws(ConfigError) -> E where E.RawValue == String {
        let text = try choice(E.allCases.map(\.rawValue))
        guard let value = E(rawValue: text) else { throw error("\"\(text)\" is not a \(E.self)") }
        return value
    }

    package func int(in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let text = scalarText, let value = Int(text.replacingOccurrences(of: "_", with: "")) else {
            throw error("expected an integer, got \(describe(node))")
        }
        guard range.contains(value) else { throw error("\(value) is out of range \(range.lowerBound)…\(range.upperBound)") }
        return value
    }

    package func double(in range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard let text = scalarText, let value = Double(text.replacingOccurrences(of: "_", with: "")) else {
            throw error("expected a number, got \(describe(node))")
        }
        guard range.contains(value) else { throw error("\(value) is out of range \(range.lowerBound)…\(range.upperBound)") }
        return value
    }

    package func bool() throws(ConfigError) -> Bool {
        switch scalarText?.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, got \(describe(node))")
        }
    }

    package func sequence() throws(ConfigError) -> [ConfigReader] {
        guard case .sequence(let sequence) = node else { throw error("expected a list, got \(describe(node))") }
        return sequence.enumerated().map { child("[\($0.offset)]", $0.element) }
    }

    package func ints(in range: ClosedRange<Int>) throws(ConfigError) -> [Int] {
        var values: [Int] = []
        for item in try sequence() { values.append(try item.int(in: range)) }
        return values
    }

    package func doubles(in range: ClosedRange<Double>) throws(ConfigError) -> [Double] {
        var values: [Double] = []
        for item in try sequence() { values.append(try item.double(in: range)) }
        return values
    }

    package func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return scalar.string.isEmpty ? "nothing" : "\"\(scalar.string)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}

extension Dictionary where Key == String, Value == ConfigReader {
    /// A required entry.
    package func required(_ key: String, in parent: ConfigReader) throws(ConfigError) -> ConfigReader {
        guard let value = self[key] else {
            throw ConfigError(file: parent.file, line: parent.node.mark?.line, column: parent.node.mark?.column,
                              keyPath: parent.path.isEmpty ? key : "\(parent.path).\(key)", "missing required key")
        }
        return value
    }
}
