import Foundation
import TestSupport

/// The output paths the documentation names, and whether something written matches them.
/// A path is named in inline code or an image link and starts with `plots/` or
/// `results/`; in it `<name>` stands for one path component, `[…]` for an optional part,
/// `*` for any characters within a component.
enum DocumentedPaths {
    static let documents = ["README.md", "experiments/README.md", "plots/README.md", "results/README.md"]
        + ((try? FileManager.default.contentsOfDirectory(atPath: TestSupport.root.appendingPathComponent("docs").path)) ?? [])
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }

    /// (document, path) for every output path named in the documents.
    static func named(in documents: [String]) throws -> [(String, String)] {
        let spans = try NSRegularExpression(pattern: #"`([^`\n]+)`|\]\(((?:plots|results)/[^)\s]+)\)"#)
        var found: [(String, String)] = []
        for document in documents {
            let url = TestSupport.root.appendingPathComponent(document)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            for match in spans.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                for group in 1...2 {
                    guard let range = Range(match.range(at: group), in: text) else { continue }
                    for word in words(String(text[range])) where word.hasPrefix("plots/") || word.hasPrefix("results/") {
                        let path = word.trimmingCharacters(in: CharacterSet(charactersIn: ",;:)"))
                        if !found.contains(where: { $0.1 == path }) { found.append((document, path)) }
                    }
                }
            }
        }
        return found
    }

    /// A code span's words: split at spaces outside `<…>` and `[…]` (`[/<sweep values>]` is one).
    static func words(_ span: String) -> [String] {
        var words: [String] = [], current = "", depth = 0
        for c in span {
            if c == "<" || c == "[" { depth += 1 } else if (c == ">" || c == "]") && depth > 0 { depth -= 1 }
            if c == " " && depth == 0 {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Every file and folder under `root`'s plots/ and results/, relative to `root`
    /// (folders with and without their final `/`).
    static func written(under root: URL) -> Set<String> {
        var paths: Set<String> = []
        for top in ["plots", "results"] {
            let folder = root.appendingPathComponent(top)
            guard let walker = FileManager.default.enumerator(atPath: folder.path) else { continue }
            paths.insert(top)
            while let relative = walker.nextObject() as? String {
                paths.insert(top + "/" + relative)
            }
        }
        return paths
    }

    /// Whether the written path `candidate` is an instance of the documented `template`.
    static func matches(_ template: String, _ candidate: String) -> Bool {
        var pattern = "^"
        let trimmed = template.hasSuffix("/") ? String(template.dropLast()) : template
        var index = trimmed.startIndex
        while index < trimmed.endIndex {
            let c = trimmed[index]
            switch c {
            case "<":
                pattern += "[^/]+"
                index = trimmed[index...].firstIndex(of: ">").map { trimmed.index(after: $0) } ?? trimmed.endIndex
                continue
            case "[": pattern += "(?:"
            case "]": pattern += ")?"
            case "*": pattern += "[^/]*"
            case "…": pattern += ".*"
            default: pattern += NSRegularExpression.escapedPattern(for: String(c))
            }
            index = trimmed.index(after: index)
        }
        pattern += "$"
        return candidate.range(of: pattern, options: .regularExpression) != nil
    }
}
