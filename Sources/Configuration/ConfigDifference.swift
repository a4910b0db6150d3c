import Yams

/// The key paths at which two configurations differ (e.g. `training.optimizer.learning_rate`),
/// compared as YAML trees: what `--resume` checks before it continues a run file.
package enum ConfigDifference {
    /// The differing key paths of two YAML texts, sorted; `[""]` when one does not parse.
    package static func keys(_ stored: String, _ current: String) -> [String] {
        guard let a = try? Yams.compose(yaml: stored), let b = try? Yams.compose(yaml: current) else { return [""] }
        var keys: [String] = []
        collect(a, b, path: "", into: &keys)
        return keys.sorted()
    }

    /// The differing key paths that shape one run: all but `repeats` (how many runs, not
    /// what each does), `description` and `recording.compact` (how the finished file is
    /// stored, not what it holds). A complete run file is the same run when these
    /// are empty, so adding repeats keeps the runs already trained. `model.arithmetic`
    /// written out as `blas` is the same as left out (the default).
    package static func runKeys(_ stored: String, _ current: String) -> [String] {
        keys(stored, current).filter { key in
            if key == "model.arithmetic" { return arithmetic(stored) != arithmetic(current) }
            return key != "repeats" && key != "description" && key != "recording.compact"
        }
    }

    /// What to say when the arithmetic is among the `differences`: runs stored without
    /// `model.arithmetic` were trained with `blas`, the default before `fused`, and a
    /// configuration file that names none now means `fused`. Empty otherwise.
    package static func arithmeticAdvice(stored: String, differences: [String]) -> String {
        guard differences.contains("model.arithmetic") else { return "" }
        let old = arithmetic(stored)
        return "; the run was trained with `model.arithmetic: \(old)`\(old == "blas" ? " (the default before `fused`)" : ""): add it to the configuration to keep the run"
    }

    /// `model.arithmetic` of a configuration text, `blas` when absent.
    private static func arithmetic(_ text: String) -> String {
        guard case .mapping(let root)? = try? Yams.compose(yaml: text), case .mapping(let model)? = root[Node("model")] else { return "blas" }
        return model[Node("arithmetic")]?.string ?? "blas"
    }

    private static func collect(_ a: Node?, _ b: Node?, path: String, into keys: inout [String]) {
        switch (a, b) {
        case (.mapping(let x)?, .mapping(let y)?):
            let names = Set(x.keys.compactMap(\.string)).union(y.keys.compactMap(\.string))
            for name in names {
                collect(x[Node(name)], y[Node(name)], path: path.isEmpty ? name : "\(path).\(name)", into: &keys)
            }
        case (.sequence(let x)?, .sequence(let y)?) where x.count == y.count:
            for (index, (p, q)) in zip(x, y).enumerated() { collect(p, q, path: "\(path)[\(index)]", into: &keys) }
        case (.scalar(let x)?, .scalar(let y)?):
            if x.string != y.string { keys.append(path) }
        case (nil, nil):
            break
        default:
            keys.append(path)
        }
    }
}
