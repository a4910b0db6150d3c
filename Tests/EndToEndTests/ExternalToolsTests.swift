import Foundation
import Testing
import TestSupport

/// docs/external-tools.md: its shell and Python recipes run, in order, against a fresh
/// (short) run of quick.yaml, from the folder that holds `results/`.
@Suite("docs/external-tools.md recipes")
struct ExternalToolsTests {
    /// The fenced blocks of a Markdown file: (language, text).
    static func blocks(_ markdown: String) -> [(language: String, text: String)] {
        var blocks: [(String, String)] = [], language: String?, lines: [String] = []
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                if let open = language {
                    blocks.append((open, lines.joined(separator: "\n")))
                    language = nil
                } else {
                    language = String(line.dropFirst(3))
                    lines = []
                }
            } else if language != nil {
                lines.append(String(line))
            }
        }
        return blocks
    }

    @Test func recipesRun() throws {
        let cli = TestSupport.product("infoplane")
        let directory = TestSupport.temporaryDirectory("external-tools")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = TestSupport.root.appendingPathComponent("experiments/quick.yaml").path
        let trained = try TestSupport.run(cli, ["run", config, "--set", "training.epochs=300", "--set", "repeats=2", "--results", "results",
                                                "--plots", "plots", "-q"], directory: directory)
        #expect(trained.status == 0, "\(trained.stderr)")
        let markdown = try String(contentsOf: TestSupport.root.appendingPathComponent("docs/external-tools.md"), encoding: .utf8)
        let blocks = Self.blocks(markdown)
        #expect(blocks.filter { $0.language == "python" }.count >= 4 && blocks.filter { $0.language == "sh" }.count >= 3)
        for (index, block) in blocks.enumerated() {
            switch block.language {
            case "sh":
                for line in block.text.split(separator: "\n") where line.hasPrefix("infoplane ") {
                    let arguments = line.dropFirst("infoplane ".count).split(separator: " ").map(String.init)
                    let result = try TestSupport.run(cli, arguments, directory: directory)
                    #expect(result.status == 0, "block \(index): \(line): \(result.stderr)")
                }
            case "python":
                let result = try TestSupport.run(TestSupport.python, ["-c", block.text], directory: directory)
                #expect(result.status == 0, "block \(index): \(result.stderr)")
            default:
                continue
            }
        }
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("plane.png").path))
    }
}
