import Experiments
import Foundation
import Synchronization
import Testing
import TestSupport
import Yams

/// Every example of every `--help` and every command of README.md and docs/cluster.md,
/// executed as written (through bash, so pipes, comments and `$SLURM_…` work), so none can
/// rot. They run on small versions of the shipped experiment files: a workspace holds
/// `experiments/` with each file shrunk (fewer epochs, repeats and samples: see
/// `Workspace.shrink`), `data/` (the repository's) and `.build/release/infoplane`. The
/// quick, fashion-cnn and tishby2017 experiments are trained there once, as a user would
/// have before trying the examples; each document (one `--help` text, the README, the
/// cluster page) then runs its commands in order in its own copy of that workspace.
///
/// Not executed: `make run` and `make test` (the README's first block; CI runs `make test`,
/// and `make run` builds). The Slurm scripts of docs/cluster.md run here with the
/// environment variables Slurm would set; ``ClusterTests`` submits them to a real Slurm and
/// runs the README's GNU parallel one-liner.
/// The README's `python-torch` blocks run in ``torchBlocksRun()``, which shows as skipped
/// without a Python with torch.
@Suite("Documented commands", .serialized)
struct DocumentedCommandsTests {
    static let cli = TestSupport.product("infoplane")

    struct Command {
        var text: String
        var environment: [String: String] = [:]
    }

    @Test func everyHelpExampleAndDocumentedCommandRuns() throws {
        let base = try Workspace.make()
        defer { try? FileManager.default.removeItem(at: base.root) }
        let help = try helpExamples()
        // Every command documents itself with examples; the collection cannot come back empty.
        for command in ["", "train", "run", "analyze", "plot", "compare", "serve", "explain", "visualize", "reproduce", "inspect", "export", "environment"] {
            #expect(help[command]?.isEmpty == false, "infoplane \(command) --help has no examples")
        }
        // The README first: the longest document starts first, the help texts fill the other processor.
        var documents: [(name: String, commands: [Command])] = [("README.md", try Self.blocks(of: "README.md"))]
        documents += help.keys.sorted().map { ("infoplane \($0) --help", help[$0] ?? []) }
        documents.append(("docs/cluster.md", try Self.blocks(of: "docs/cluster.md")))
        #expect(documents.reduce(0) { $0 + $1.commands.count } >= 60)
        // Documents run two at a time, each in its own copy of the workspace, its commands in
        // order. Everything they wrote under plots/ and results/ is kept, with the repository's own.
        let written = Mutex(DocumentedPaths.written(under: TestSupport.root))
        let jobs = documents.map { (name: $0.name, texts: $0.commands.map { ($0.text, $0.environment) }) }
        let root = base.root, environment = base.environment
        DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
            let document = jobs[index]
            do {
                let workspace = try Workspace(root: root, environment: environment)
                    .copy(named: "document-\(index)", keepingTishby: !["docs/cluster.md", "infoplane train --help"].contains(document.name))
                defer {
                    let paths = DocumentedPaths.written(under: workspace)
                    written.withLock { $0.formUnion(paths) }
                    try? FileManager.default.removeItem(at: workspace)
                }
                for (text, extra) in document.texts {
                    let started = Date()
                    let result = try TestSupport.run("/bin/bash", ["-c", "set -eo pipefail\n" + text],
                                                     environment: environment.merging(extra) { $1 }, directory: workspace)
                    #expect(result.status == 0, "\(document.name): \(text) (\(extra)) exited \(result.status):\n\(result.stderr)")
                    let seconds = Date().timeIntervalSince(started)
                    if seconds > 20 { print("slow documented command (\(Int(seconds)) s): \(text)") }
                }
            } catch {
                Issue.record("\(document.name): \(error)")
            }
        }
        let everything = written.withLock { $0 }
        // Every output path the docs name (`plots/<experiment>/run-<seed>/…`) is one the
        // commands wrote: a renamed folder cannot leave the docs behind.
        let named = try DocumentedPaths.named(in: DocumentedPaths.documents)
        #expect(named.count >= 20, "\(named)")
        for (document, path) in named {
            #expect(everything.contains { DocumentedPaths.matches(path, $0) }, "\(document) names \(path), which no documented command wrote")
        }
    }

    /// A Python with torch and onnx, when the environment names one.
    static let torchPython = TestSupport.torchPython

    /// The README's `python-torch` blocks (the user's side of "Bring your own model" and of
    /// "Train in PyTorch": a model exported to ONNX, a training recorded with the Python
    /// package) and its `sh-torch` commands, in order, in one folder that has the CLI where the
    /// README says, `data/`, `examples/pytorch/`, `python` on PATH as the Python with torch,
    /// and the package importable as `pip install ./python` would make it; then the `record`
    /// command the first block ends with.
    @Test(.enabled(if: torchPython != nil, "no Python with torch and onnx (set INFOPLANE_TORCH_PYTHON)"))
    func torchBlocksRun() throws {
        let python = try #require(Self.torchPython)
        let text = try String(contentsOf: TestSupport.root.appendingPathComponent("README.md"), encoding: .utf8)
        var blocks: [(language: String, text: String)] = [], current: (String, [String])?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line == "```python-torch" || line == "```sh-torch" {
                current = (String(line.dropFirst(3)), [])
            } else if line.hasPrefix("```"), let (language, lines) = current {
                blocks.append((language, lines.joined(separator: "\n")))
                current = nil
            } else if current != nil {
                current?.1.append(line)
            }
        }
        #expect(blocks.filter { $0.language == "python-torch" }.count >= 2 && blocks.contains { $0.language == "sh-torch" })
        let folder = TestSupport.temporaryDirectory("torch-blocks")
        defer { try? FileManager.default.removeItem(at: folder) }
        let manager = FileManager.default
        for path in [".build/release", "bin", "data", "examples"] {
            try manager.createDirectory(at: folder.appendingPathComponent(path), withIntermediateDirectories: true)
        }
        try manager.createSymbolicLink(atPath: folder.appendingPathComponent(".build/release/infoplane").path, withDestinationPath: Self.cli)
        // A script, not a link: a virtual environment's Python finds its packages from the path it was started by.
        let wrapper = folder.appendingPathComponent("bin/python")
        try "#!/bin/sh\nexec '\(python)' \"$@\"\n".write(to: wrapper, atomically: true, encoding: .utf8)
        try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper.path)
        try manager.copyItem(at: TestSupport.root.appendingPathComponent("data/var_u.mat"), to: folder.appendingPathComponent("data/var_u.mat"))
        try manager.copyItem(at: TestSupport.root.appendingPathComponent("examples/pytorch"), to: folder.appendingPathComponent("examples/pytorch"))
        let environment = ["PATH": folder.appendingPathComponent("bin").path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                           "PYTHONPATH": TestSupport.root.appendingPathComponent("python").path, "PYTHONDONTWRITEBYTECODE": "1"]
        for block in blocks {
            let script = block.language == "python-torch" ? "python - <<'PYTHON'\n\(block.text)\nPYTHON" : block.text
            let result = try TestSupport.run("/bin/bash", ["-c", "set -eo pipefail\n" + script], environment: environment, directory: folder)
            #expect(result.status == 0, "\(block.text)\n\(result.stderr)")
        }
        let recorded = try TestSupport.run(Self.cli, ["record", "my_model.onnx", "--data", "my_data.npz", "--results", "results", "--quiet"], directory: folder)
        #expect(recorded.status == 0, "\(recorded.stderr)")
    }

    /// The examples of each command's `--help`, keyed by the command path ("" for the root),
    /// read from argument-parser's dump of the command tree (the discussion texts `--help`
    /// prints).
    func helpExamples() throws -> [String: [Command]] {
        let dump = try TestSupport.run(Self.cli, ["--experimental-dump-help"])
        #expect(dump.status == 0, "\(dump.stderr)")
        let tree = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        var examples: [String: [Command]] = [:]
        func walk(_ command: [String: Any], path: [String]) {
            let discussion = command["discussion"] as? String ?? ""
            let lines = discussion.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            if let start = lines.firstIndex(of: "Examples:") {
                // Piped `--help` wraps at 80 columns: an example longer than that would
                // break mid-comment, so each is written to fit (comments on their own line,
                // long commands continued with `\`).
                for line in discussion.split(separator: "\n").drop(while: { $0.trimmingCharacters(in: .whitespaces) != "Examples:" }) {
                    #expect(line.count <= 80, "infoplane \(path.joined(separator: " ")) --help: an example wider than 80 columns wraps when piped: \(line)")
                }
                let joined = lines[(start + 1)...].joined(separator: "\n").replacingOccurrences(of: "\\\n", with: " ")
                for line in joined.split(separator: "\n") where line.hasPrefix("infoplane ") {
                    examples[path.joined(separator: " "), default: []].append(Command(text: String(line)))
                }
            }
            for case let sub as [String: Any] in command["subcommands"] as? [Any] ?? [] {
                if let name = sub["commandName"] as? String { walk(sub, path: path + [name]) }
            }
        }
        if let root = tree["command"] as? [String: Any] { walk(root, path: []) }
        return examples
    }

    /// The shell commands of a Markdown file's ```sh blocks (one per line, `\` joining
    /// lines; `#SBATCH --array=a-b` scripts once per task id, as Slurm would run them) and
    /// its ```python blocks (run with the project's Python).
    static func blocks(of file: String) throws -> [Command] {
        let text = try String(contentsOf: TestSupport.root.appendingPathComponent(file), encoding: .utf8)
        var commands: [Command] = []
        var language: String?
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("```") {
                if let current = language {
                    commands += block(current, lines)
                    language = nil
                } else {
                    language = String(line.dropFirst(3))
                    lines = []
                }
            } else if language != nil {
                lines.append(line)
            }
        }
        return commands
    }

    static func block(_ language: String, _ lines: [String]) -> [Command] {
        switch language {
        case "python":
            let script = lines.joined(separator: "\n")
            return [Command(text: "\"$INFOPLANE_PYTHON\" - <<'PYTHON'\n\(script)\nPYTHON")]
        case "python-torch", "sh-torch":
            // The user's side of "Bring your own model" and "Train in PyTorch" needs PyTorch,
            // which `make test` does not install: `torchBlocksRun` runs these blocks (skipped,
            // and shown so, without a Python with torch).
            return []
        case "sh":
            if lines.first == "#!/bin/bash" {
                let script = lines.joined(separator: "\n")
                guard let array = lines.first(where: { $0.hasPrefix("#SBATCH --array=") }) else { return [Command(text: script)] }
                let bounds = array.dropFirst("#SBATCH --array=".count).split(separator: "-").compactMap { Int($0) }
                guard bounds.count == 2 else { return [Command(text: "false # unreadable \(array)")] }
                return (bounds[0]...bounds[1]).map {
                    Command(text: script, environment: ["SLURM_ARRAY_TASK_ID": "\($0)", "SLURM_ARRAY_TASK_COUNT": "\(bounds[1] - bounds[0] + 1)"])
                }
            }
            return lines.joined(separator: "\n").replacingOccurrences(of: "\\\n", with: " ")
                .split(separator: "\n").map { String($0).trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("make ") && !$0.hasPrefix("#") }
                .map { Command(text: $0) }
        default:
            return []  // diagrams, tables
        }
    }
}

/// The folder the documented commands run in: shrunk experiment files, the repository's
/// data, the CLI where the README says it is, and the experiments the examples assume.
struct Workspace {
    var root: URL
    var environment: [String: String]

    static func make() throws -> Workspace {
        let root = TestSupport.temporaryDirectory("documented")
        let manager = FileManager.default
        let experiments = root.appendingPathComponent("experiments")
        try manager.createDirectory(at: experiments, withIntermediateDirectories: true)
        for name in try manager.contentsOfDirectory(atPath: TestSupport.root.appendingPathComponent("experiments").path) where name.hasSuffix(".yaml") {
            let text = try String(contentsOf: TestSupport.root.appendingPathComponent("experiments/\(name)"), encoding: .utf8)
            try shrink(text).write(to: experiments.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try manager.createSymbolicLink(at: root.appendingPathComponent("data"), withDestinationURL: TestSupport.root.appendingPathComponent("data"))
        try manager.createSymbolicLink(at: root.appendingPathComponent("examples"), withDestinationURL: TestSupport.root.appendingPathComponent("examples"))
        let binaries = root.appendingPathComponent(".build/release")
        try manager.createDirectory(at: binaries, withIntermediateDirectories: true)
        try manager.createSymbolicLink(at: binaries.appendingPathComponent("infoplane"), withDestinationURL: URL(fileURLWithPath: DocumentedCommandsTests.cli))
        let folder = URL(fileURLWithPath: DocumentedCommandsTests.cli).deletingLastPathComponent().path
        let environment = ["PATH": folder + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                           "INFOPLANE_PYTHON": TestSupport.python]
        for experiment in ["quick", "fashion-cnn", "tishby2017"] {
            let result = try TestSupport.run(DocumentedCommandsTests.cli, ["run", "experiments/\(experiment).yaml", "--quiet"], environment: environment, directory: root)
            #expect(result.status == 0, "\(experiment): \(result.stderr)")
        }
        return Workspace(root: root, environment: environment)
    }

    /// A copy of the workspace for one document (without results/tishby2017 when the
    /// document trains it itself, with settings of its own).
    func copy(named name: String, keepingTishby: Bool) throws -> URL {
        let target = root.deletingLastPathComponent().appendingPathComponent("\(root.lastPathComponent)-\(name)")
        try FileManager.default.copyItem(at: root, to: target)
        if !keepingTishby { try FileManager.default.removeItem(at: target.appendingPathComponent("results/tishby2017")) }
        return target
    }

    /// An experiment file made small: at most 2 repeats, 30 epochs (1 for image data, 2000
    /// training and 500 test images), 20 log-spaced logging steps, quick's samples a
    /// subset of 1000.
    static func shrink(_ text: String) throws -> String {
        guard var root = try Yams.compose(yaml: text) else { return text }
        func value(_ path: String) -> Node? {
            path.split(separator: ".").reduce(Optional(root)) { node, key in node?.mapping?[Node(String(key))] }
        }
        func set(_ path: String, _ scalar: String) throws { root = try NodePath.set(root, path: path, to: Node(scalar), file: "shrink") }
        let images = ["fashion_mnist", "idx"].contains(value("data.source")?.string ?? "")
        if let repeats = value("repeats")?.int, repeats > 2 { try set("repeats", "2") }
        try set("training.epochs", images ? "1" : "\(min(value("training.epochs")?.int ?? 30, 30))")
        if images {
            try set("data.train_samples", "2000")
            try set("data.test_samples", "500")
        }
        if let steps = value("recording.schedule.log_spaced")?.int, steps > 20 { try set("recording.schedule.log_spaced", "20") }
        // quick's 4096 recorded samples made t-SNE's two help examples take 2 minutes of CI.
        if value("name")?.string == "quick" {
            root = try NodePath.set(root, path: "recording.samples", to: Node.mapping(Node.Mapping([(Node("subset"), Node("1000"))])), file: "shrink")
        }
        return try Yams.serialize(node: root)
    }
}
