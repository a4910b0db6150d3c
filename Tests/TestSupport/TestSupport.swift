import Foundation
import Synchronization

/// Helpers shared by the test targets: the repository root, temporary folders,
/// running h5py and command-line tools, and capturing stderr.
public enum TestSupport {
    /// The repository root (two levels above `Tests/TestSupport`).
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A file under `data/` of the repository.
    public static func dataFile(_ name: String) -> String {
        root.appendingPathComponent("data").appendingPathComponent(name).path
    }

    /// A fresh temporary directory, unique per call.
    public static func temporaryDirectory(_ label: String = "infoplane") -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The Python of the project's virtual environment (h5py, numpy), set up by
    /// `scripts/bootstrap`: `INFOPLANE_PYTHON` or `.venv/bin/python`.
    public static var python: String {
        if let path = ProcessInfo.processInfo.environment["INFOPLANE_PYTHON"], !path.isEmpty { return path }
        return root.appendingPathComponent(".venv/bin/python").path
    }

    /// A Python with torch (and onnx) for the checks against PyTorch, or nil (they then show
    /// as skipped): `INFOPLANE_TORCH_PYTHON`, or the project's .venv when torch is installed
    /// there (`scripts/bootstrap` does not install it: about 700 MB).
    public static let torchPython: String? = {
        let candidates = [ProcessInfo.processInfo.environment["INFOPLANE_TORCH_PYTHON"], python].compactMap { $0 }.filter { !$0.isEmpty }
        return candidates.first { (try? run($0, ["-c", "import torch, onnx"]).status) == 0 }
    }()

    /// An executable found on PATH (or nil): the optional tools some checks need
    /// (`chromium`, `node`), whose tests are enabled only when it is there, so that they
    /// show as skipped, never as passed, without it.
    public static func tool(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return (path.split(separator: ":").map { "\($0)/\(name)" } + ["/usr/bin/\(name)"])
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Headless Chromium (`scripts/bootstrap --test` installs it).
    public static let chromium = tool("chromium")
    /// node, for running the pages' scripts outside a browser.
    public static let node = tool("node")

    /// The DOM of a local HTML file after its scripts ran, as headless Chromium sees it.
    public static func renderedDOM(_ file: String, profile: URL) throws -> ProcessResult {
        guard let chromium else { throw CocoaError(.fileNoSuchFile) }
        return try run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile.path)",
                                  "--dump-dom", URL(fileURLWithPath: file).absoluteString])
    }

    public struct ProcessResult: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs an executable with arguments and optional stdin text; waits for it.
    public static func run(_ executable: String, _ arguments: [String], stdin: String? = nil,
                           environment: [String: String]? = nil, directory: URL? = nil) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes concurrently so a chatty child cannot block on a full pipe.
        let errData = draining(err)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        try? out.fileHandleForReading.close()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus,
                             stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData(), as: UTF8.self))
    }

    /// How a bounded run ended.
    public struct BoundedResult: Sendable {
        public var status: Int32
        /// The child died of a signal (a crash), `status` holding the signal number.
        public var signaled: Bool
        /// The child was still running at the deadline and was killed.
        public var timedOut: Bool
        public var stderr: String
    }

    /// Runs an executable with no standard input, its stdout discarded, and kills it
    /// after `seconds` (for fuzzing: a hang is a finding, not a stuck test). The child's
    /// own crash backtraces are switched off.
    public static func runBounded(_ executable: String, _ arguments: [String], seconds: Double,
                                  directory: URL? = nil) throws -> BoundedResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = ProcessInfo.processInfo.environment.merging(["SWIFT_BACKTRACE": "enable=no"]) { $1 }
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        try process.run()
        let errData = draining(err)
        var timedOut = false
        if done.wait(timeout: .now() + seconds) == .timedOut {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            done.wait()
        }
        return BoundedResult(status: process.terminationStatus,
                             signaled: !timedOut && process.terminationReason == .uncaughtSignal,
                             timedOut: timedOut, stderr: String(decoding: errData(), as: UTF8.self))
    }

    /// Starts reading `pipe` to its end on another thread; the returned function waits
    /// for the bytes.
    static func draining(_ pipe: Pipe) -> () -> Data {
        let data = Mutex(Data())
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            let bytes = pipe.fileHandleForReading.readDataToEndOfFile()
            // Closed here: otherwise the handle stayed open, one per child, and `make fuzz`
            // passed descriptor 1024, where Foundation's fd_set overflows (a crash in
            // Process.run, measured: 60 more open pipes a second).
            try? pipe.fileHandleForReading.close()
            data.withLock { $0 = bytes }
            group.leave()
        }
        return {
            group.wait()
            return data.withLock { $0 }
        }
    }

    /// Runs a Python script with the project's Python (h5py available).
    public static func runPython(_ script: String, _ arguments: [String] = []) throws -> ProcessResult {
        try run(python, ["-c", script] + arguments)
    }

    /// The paths of the files named `name` below `folder`, sorted.
    public static func find(_ name: String, under folder: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        var found: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if (relative as NSString).lastPathComponent == name { found.append(folder.appendingPathComponent(relative).path) }
        }
        return found.sorted()
    }

    /// The path of a built product next to the test bundle (e.g. the `infoplane` CLI).
    public static func product(_ name: String) -> String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var url = bundle
        // The test binary may sit inside `<name>.xctest/` or directly in the build folder.
        for _ in 0..<4 {
            let candidate = url.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
            url = url.deletingLastPathComponent()
        }
        return bundle.appendingPathComponent(name).path
    }
}
