import Information
import Yams

extension AnalysisConfig {
    /// The estimators given on `analyze`'s command line, in order: `--set
    /// analysis.estimators=[…]` (the YAML of a config's `analysis.estimators`) first, then
    /// every `--estimator kind:key=value,…` (the same keys, e.g. `binning:bins=10`,
    /// `kde:noise_variance=0.1,bound=upper`, `binning:width=0.5,range=[-1,1]`).
    /// - Returns: nil when neither was given (the runs' configured estimators apply).
    package static func estimators(sets: [String], short: [String]) throws(ConfigError) -> [EstimatorSpec]? {
        guard !sets.isEmpty || !short.isEmpty else { return nil }
        var specs: [EstimatorSpec] = []
        for assignment in sets {
            guard let equals = assignment.firstIndex(of: "=") else {
                throw ConfigError(file: "--set \(assignment)", keyPath: "", "expected analysis.estimators=[…]")
            }
            let key = String(assignment[..<equals]).trimmingCharacters(in: .whitespaces)
            guard key == "analysis.estimators" else {
                throw ConfigError(file: "--set \(assignment)", keyPath: key, "analyze takes only --set analysis.estimators=[…]; other keys belong to train")
            }
            let node: Node
            do {
                node = try Yams.compose(yaml: String(assignment[assignment.index(after: equals)...])) ?? Node([Node]())
            } catch {
                throw ConfigError(file: "--set \(assignment)", keyPath: key, "the value is not valid YAML")
            }
            let reader = ConfigReader(node: node, file: "--set \(key)", path: key)
            for item in try reader.sequence() { specs.append(try estimator(item)) }
        }
        for text in short {
            let source = "--estimator \(text)"
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            guard let kind = parts.first, !kind.isEmpty else {
                throw ConfigError(file: source, keyPath: "", "expected kind:key=value,… e.g. binning:bins=30")
            }
            var fields = ["kind: \(kind)"]
            for piece in parts.count > 1 ? splitTopLevel(parts[1]) : [] {
                guard let equals = piece.firstIndex(of: "="), piece.startIndex != equals else {
                    throw ConfigError(file: source, keyPath: "", "\"\(piece)\" is not key=value")
                }
                fields.append("\(piece[..<equals]): \(piece[piece.index(after: equals)...])")
            }
            let node: Node
            do {
                node = try Yams.compose(yaml: "{" + fields.joined(separator: ", ") + "}") ?? Node("")
            } catch {
                throw ConfigError(file: source, keyPath: "", "not kind:key=value,… (e.g. binning:bins=30,range=[-1,1])")
            }
            specs.append(try estimator(ConfigReader(node: node, file: source)))
        }
        return specs
    }

    /// Splits `a=1,range=[-1,1]` at the commas outside brackets.
    static func splitTopLevel(_ text: String) -> [String] {
        var pieces: [String] = [], current = "", depth = 0
        for c in text {
            if c == "[" || c == "{" { depth += 1 } else if c == "]" || c == "}" { depth -= 1 }
            if c == "," && depth == 0 { pieces.append(current); current = "" } else { current.append(c) }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
