import Foundation
import HDF5
import Synchronization
import Testing
import TestSupport

/// Seeded mutations of every format the lab reads — YAML configs, MAT v5 and v7.3, IDX
/// and IDX.gz, HDF5 inputs, run files, analysis files — fed to every command that reads
/// them, each in a subprocess. A finding is a signal (crash), a hang, an exit code other
/// than 0/1/2, an error that is not one `infoplane: ` line, or a file written outside the
/// sandbox.
///
/// `make test` runs a few hundred calls (INFOPLANE_FUZZ_CASES per format, default 10);
/// `make fuzz` runs thousands. A finding names the format, the case seed and the
/// mutation, so it can be replayed.
@Suite("Fuzzing: hostile inputs to every command", .serialized)
struct FuzzTests {
    /// The command under test; INFOPLANE_FUZZ_BINARY points the fuzzer at another build
    /// (to count what an older version did with the same cases).
    let binary = ProcessInfo.processInfo.environment["INFOPLANE_FUZZ_BINARY"] ?? TestSupport.product("infoplane")
    static var casesPerFormat: Int { Int(ProcessInfo.processInfo.environment["INFOPLANE_FUZZ_CASES"] ?? "") ?? 10 }
    /// Seconds before a call counts as hung (INFOPLANE_FUZZ_TIMEOUT; the lab's own guard
    /// for damaged HDF5 files ends a stuck read after 10 s).
    static var timeout: Double { Double(ProcessInfo.processInfo.environment["INFOPLANE_FUZZ_TIMEOUT"] ?? "") ?? 60 }
    static var baseSeed: UInt64 { UInt64(ProcessInfo.processInfo.environment["INFOPLANE_FUZZ_SEED"] ?? "") ?? 2026 }

    /// One subprocess call of a case.
    struct Call: Sendable {
        var label: String
        var arguments: [String]
    }

    // MARK: Fixtures

    /// A tiny experiment on the data file at `dataYAML`: a few epochs, a few units.
    static func config(name: String = "fuzz", data: String, samples: String = "all", model: String = "widths: [4, 3]") -> String {
        """
        name: \(name)
        seed: 1
        repeats: 1
        data:
        \(data)
        model:
          \(model)
          activation: tanh
        training:
          epochs: 3
          batch_size: 64
          optimizer: {kind: adam, learning_rate: 0.01}
        recording:
          schedule: every_epoch
          samples: \(samples)
          storage: float32
        analysis:
          estimators:
            - {kind: binning, bins: 10, convention: intervals, range: [-1, 1]}
          plots: [information_plane, training_curves]

        """
    }

    static let imageModel = "layers: [flatten, {dense: {units: 4}}, {dense: {units: 3}}]"

    static func matData(_ path: String) -> String { "  source: mat\n  path: \(path)\n  train_fraction: 0.8" }

    static func idxBytes(images: Bool, count: Int) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 8, images ? 3 : 1]
        func be(_ v: Int) { bytes += [UInt8(v >> 24 & 255), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }
        be(count)
        if images { be(4); be(4) }
        for i in 0..<count { bytes += images ? (0..<16).map { UInt8(($0 * 17 + i * 31) & 255) } : [UInt8(i % 3)] }
        return bytes
    }

    static func gzip(_ bytes: [UInt8], in folder: URL) throws -> [UInt8] {
        let plain = folder.appendingPathComponent("plain-\(UUID().uuidString)")
        try Data(bytes).write(to: plain)
        _ = try TestSupport.run("/bin/gzip", ["-n", "-f", plain.path])
        let zipped = try Data(contentsOf: URL(fileURLWithPath: plain.path + ".gz"))
        try? FileManager.default.removeItem(atPath: plain.path + ".gz")
        return [UInt8](zipped)
    }

    /// An HDF5 input with `x [64, 6]` and `y [64]`.
    static func hdf5Input(at path: String) throws {
        let file = try H5File.create(path, overwrite: true)
        try file.writeDataset("x", (0..<(64 * 6)).map { Float($0 % 7) / 7 }, shape: [64, 6])
        try file.writeDataset("y", (0..<64).map { Int32($0 % 2) }, shape: [64])
    }

    /// A MAT v7.3 file (HDF5): `F` 256×12 and `y` 1×256 as MATLAB stores them.
    static func mat73(at path: String) throws {
        let file = try H5File.create(path, overwrite: true)
        let n = 256
        let f = try file.writeDataset("F", (0..<(12 * n)).map { Double(($0 / n + $0 % n) % 2) }, shape: [12, n])
        try f.setAttribute("MATLAB_class", "double")
        let y = try file.writeDataset("y", (0..<n).map { Double($0 % 2) }, shape: [n, 1])
        try y.setAttribute("MATLAB_class", "double")
    }

    // MARK: Running

    /// Runs every call of every case, two at a time; returns the findings.
    func run(_ cases: [(name: String, calls: [Call])], in sandbox: URL) -> [String] {
        let findings = Mutex<[String]>([])
        let flat = cases.flatMap { c in c.calls.map { (c.name, $0) } }
        let next = Mutex(0)
        let binary = self.binary
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            while true {
                let index = next.withLock { value -> Int in
                    defer { value += 1 }
                    return value
                }
                guard index < flat.count else { return }
                let (name, call) = flat[index]
                let problem: String?
                do {
                    let result = try TestSupport.runBounded(binary, call.arguments, seconds: Self.timeout, directory: sandbox)
                    problem = Self.judge(result)
                } catch {
                    problem = "could not start: \(error)"
                }
                if let problem {
                    let kept = Self.keep(call, sandbox: sandbox)
                    findings.withLock { $0.append("\(name) · \(call.label): \(problem) [inputs kept in \(kept)]") }
                }
            }
        }
        return findings.withLock { $0 }
    }

    /// Copies the folder of a failing call's input to a findings folder that outlives the
    /// sandbox, so the finding can be replayed; returns where.
    static func keep(_ call: Call, sandbox: URL) -> String {
        let findings = FileManager.default.temporaryDirectory.appendingPathComponent("infoplane-fuzz-findings")
        let input = call.arguments.dropFirst().first { $0.hasPrefix(sandbox.path) } ?? sandbox.path
        var folder = URL(fileURLWithPath: input)
        if !folder.hasDirectoryPath { folder = folder.deletingLastPathComponent() }
        let target = findings.appendingPathComponent(folder.lastPathComponent + "-" + UUID().uuidString.prefix(8))
        try? FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        // Regular files only: copying a FIFO would block.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
            let source = folder.appendingPathComponent(name)
            let kind = (try? FileManager.default.attributesOfItem(atPath: source.path))?[.type] as? FileAttributeType
            // Bounded: a finding keeps its small inputs, not every run file of its folder.
            let size = (try? FileManager.default.attributesOfItem(atPath: source.path))?[.size] as? Int ?? 0
            if kind == .typeRegular && size <= 64 << 20 { try? FileManager.default.copyItem(at: source, to: target.appendingPathComponent(name)) }
        }
        return target.path
    }

    /// What is wrong with how a call ended, if anything.
    static func judge(_ result: TestSupport.BoundedResult) -> String? {
        if result.timedOut { return "hang (killed after \(Int(timeout)) s)" }
        if result.signaled { return "crashed with signal \(result.status): \(result.stderr.suffix(300))" }
        guard (0...2).contains(result.status) else { return "exit \(result.status)" }
        if result.status != 0 {
            let lines = result.stderr.split(whereSeparator: \.isNewline)
            guard lines.count == 1, lines[0].hasPrefix("infoplane: ") else {
                return "exit \(result.status) with \(lines.count) stderr lines: \(result.stderr.prefix(300))"
            }
        }
        return nil
    }

    // MARK: Tests

    @Test func dataFilesAndConfigs() throws {
        let sandbox = TestSupport.temporaryDirectory("fuzz-data")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        var seeds: [(format: String, bytes: [UInt8], data: (String) -> String)] = []
        seeds.append(("mat-v5", [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestSupport.dataFile("var_u.mat")))), Self.matData))
        let mat73 = sandbox.appendingPathComponent("seed73.mat").path
        try Self.mat73(at: mat73)
        seeds.append(("mat-v7.3", [UInt8](try Data(contentsOf: URL(fileURLWithPath: mat73))), Self.matData))
        let h5 = sandbox.appendingPathComponent("seed.h5").path
        try Self.hdf5Input(at: h5)
        seeds.append(("hdf5-input", [UInt8](try Data(contentsOf: URL(fileURLWithPath: h5))),
                      { "  source: hdf5\n  path: \($0)\n  train_fraction: 0.8" }))
        let labels = sandbox.appendingPathComponent("labels.idx").path
        try Data(Self.idxBytes(images: false, count: 60)).write(to: URL(fileURLWithPath: labels))
        let idxData: (String) -> String = { "  source: idx\n  images: \($0)\n  labels: \(labels)\n  train_fraction: 0.8" }
        seeds.append(("idx", Self.idxBytes(images: true, count: 60), idxData))
        seeds.append(("idx.gz", try Self.gzip(Self.idxBytes(images: true, count: 60), in: sandbox), idxData))
        // Labels files are inputs too: the images stay intact, the labels are mutated.
        let images = sandbox.appendingPathComponent("images.idx").path
        try Data(Self.idxBytes(images: true, count: 60)).write(to: URL(fileURLWithPath: images))
        seeds.append(("idx-labels", Self.idxBytes(images: false, count: 60),
                      { "  source: idx\n  images: \(images)\n  labels: \($0)\n  train_fraction: 0.8" }))

        var cases: [(name: String, calls: [Call])] = []
        var random = FuzzRandom(seed: Self.baseSeed)
        // Each intact seed must train: otherwise every mutation would fail for one reason.
        for seed in seeds {
            let folder = sandbox.appendingPathComponent("\(seed.format)-intact")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let dataPath = folder.appendingPathComponent("input.bin").path
            try Data(seed.bytes).write(to: URL(fileURLWithPath: dataPath))
            let config = folder.appendingPathComponent("fuzz.yaml").path
            try Self.config(data: seed.data(dataPath), model: seed.format.hasPrefix("idx") ? Self.imageModel : "widths: [4, 3]")
                .write(toFile: config, atomically: true, encoding: .utf8)
            let intact = try TestSupport.run(binary, ["train", config, "-q", "--results", folder.appendingPathComponent("results").path])
            #expect(intact.status == 0, "intact \(seed.format) seed: \(intact.stderr)")
        }
        for seed in seeds {
            for k in 0..<Self.casesPerFormat {
                var bytes = seed.bytes
                let what = random.pick(ByteMutation.allCases).apply(&bytes, &random)
                let folder = sandbox.appendingPathComponent("\(seed.format)-\(k)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let dataPath = folder.appendingPathComponent("input.bin").path
                try Data(bytes).write(to: URL(fileURLWithPath: dataPath))
                let config = folder.appendingPathComponent("fuzz.yaml").path
                try Self.config(data: seed.data(dataPath), model: seed.format.hasPrefix("idx") ? Self.imageModel : "widths: [4, 3]")
                    .write(toFile: config, atomically: true, encoding: .utf8)
                cases.append(("\(seed.format) case \(k) (\(what))",
                              [Call(label: "train", arguments: ["train", config, "-q", "--results", folder.appendingPathComponent("results").path])]))
            }
        }
        // Configs: byte mutations of a valid file, and hostile values of valid syntax.
        let varU = TestSupport.dataFile("var_u.mat")
        let validConfig = Self.config(data: Self.matData(varU))
        for k in 0..<Self.casesPerFormat {
            var bytes = [UInt8](validConfig.utf8)
            let what = random.pick(ByteMutation.allCases).apply(&bytes, &random)
            let path = sandbox.appendingPathComponent("config-\(k).yaml").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            cases.append(("yaml case \(k) (\(what))",
                          [Call(label: "train", arguments: ["train", path, "-q", "--results", sandbox.appendingPathComponent("results-yaml-\(k)").path])]))
        }
        let hostile: [[String]] = [
            ["model.widths=[1000000]"], ["training.epochs=10000000", "recording.schedule=every_epoch"],
            ["data.train_fraction=0"], ["recording.samples={subset: 100000}"], ["recording.schedule={explicit: [1, 99999]}"],
            ["name=.."], ["name=."], ["name=/../../escape"], ["model.widths=[[8, 6], [4]]"],
            ["training.optimizer={kind: sgd, learning_rate: 100}", "model.activation=linear"],
            ["training.batch_size=0"], ["repeats=0"], ["model.widths=[]"], ["data.path=/dev/zero"], ["data.path=/tmp"],
        ]
        let base = sandbox.appendingPathComponent("base.yaml").path
        try validConfig.write(toFile: base, atomically: true, encoding: .utf8)
        for (k, overrides) in hostile.enumerated() {
            cases.append(("hostile config \(overrides)",
                          [Call(label: "train", arguments: ["train", base, "-q", "--results", sandbox.appendingPathComponent("results-hostile-\(k)").path]
                                  + overrides.flatMap { ["--set", $0] })]))
        }
        let findings = run(cases, in: sandbox)
        #expect(findings.isEmpty, "\(findings.count) findings in \(cases.count) cases:\n\(findings.prefix(20).joined(separator: "\n"))")
        #expect(!FileManager.default.fileExists(atPath: sandbox.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("escape").path))
    }

    @Test func runAndAnalysisFiles() throws {
        let sandbox = TestSupport.temporaryDirectory("fuzz-runs")
        defer { try? FileManager.default.removeItem(at: sandbox) }
        let config = sandbox.appendingPathComponent("fuzz.yaml").path
        try Self.config(data: Self.matData(TestSupport.dataFile("var_u.mat")), samples: "{subset: 96}")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let results = sandbox.appendingPathComponent("results").path
        let trained = try TestSupport.run(binary, ["run", config, "-q", "--results", results, "--plots", sandbox.appendingPathComponent("plots").path])
        #expect(trained.status == 0, "\(trained.stderr)")
        let runBytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(results)/fuzz/run-1.h5")))
        // The same run kept contiguous: byte mutations alternate between the two storages
        // (compacted chunks are read raw and inflated by infoplane, RunCompaction.storedRow;
        // contiguous rows are read by HDF5).
        let contiguous = sandbox.appendingPathComponent("results-contiguous").path
        let trainedContiguous = try TestSupport.run(binary, ["train", config, "-q", "--results", contiguous, "--set", "recording.compact=false"])
        #expect(trainedContiguous.status == 0, "\(trainedContiguous.stderr)")
        let contiguousBytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(contiguous)/fuzz/run-1.h5")))
        let analysis = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(results)/fuzz/analysis.h5")))
        let escape = "../../fuzz-escape-\(UUID().uuidString)"

        var cases: [(name: String, calls: [Call])] = []
        var random = FuzzRandom(seed: Self.baseSeed &+ 1)
        func runCalls(_ folder: URL) -> [Call] {
            let file = folder.appendingPathComponent("run-1.h5").path
            let plots = folder.appendingPathComponent("plots").path
            return [
                Call(label: "inspect", arguments: ["inspect", file]),
                Call(label: "analyze", arguments: ["analyze", folder.path, "-q"]),
                Call(label: "export", arguments: ["export", file, "--layer", "hidden1", "--output", folder.appendingPathComponent("out.csv").path]),
                Call(label: "explain", arguments: ["explain", file, "--plots", plots, "--count", "2", "--no-sanity", "--no-features", "--steps", "4"]),
                Call(label: "visualize tsne", arguments: ["visualize", "tsne", file, "--layer", "hidden1", "--iterations", "30", "--plots", plots, "-q"]),
                Call(label: "compact", arguments: ["compact", file]),
            ]
        }
        // Byte mutations, then every structured edit once.
        let byteCases = 2 * Self.casesPerFormat
        for k in 0..<(byteCases + RunFileEdit.allCases.count) {
            let folder = sandbox.appendingPathComponent("run-case-\(k)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let path = folder.appendingPathComponent("run-1.h5").path
            let what: String
            if k < byteCases {
                var bytes = k % 2 == 0 ? runBytes : contiguousBytes
                what = (k % 2 == 0 ? "compacted, " : "contiguous, ") + random.pick(ByteMutation.allCases).apply(&bytes, &random)
                try Data(bytes).write(to: URL(fileURLWithPath: path))
            } else {
                try Data(runBytes).write(to: URL(fileURLWithPath: path))
                what = try RunFileEdit.allCases[k - byteCases].apply(to: path, escape: escape, &random)
            }
            cases.append(("run file case \(k) (\(what))", runCalls(folder)))
        }
        // Byte mutations, then every structured edit once; each beside a copy of the run,
        // so that the calls that follow run paths (export table, --merge) get that far.
        for k in 0..<(Self.casesPerFormat + AnalysisFileEdit.allCases.count) {
            let folder = sandbox.appendingPathComponent("analysis-case-\(k)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let file = folder.appendingPathComponent("analysis.h5").path
            try Data(runBytes).write(to: folder.appendingPathComponent("run-1.h5"))
            let what: String
            if k < Self.casesPerFormat {
                var bytes = analysis
                what = random.pick(ByteMutation.allCases).apply(&bytes, &random)
                try Data(bytes).write(to: URL(fileURLWithPath: file))
            } else {
                try Data(analysis).write(to: URL(fileURLWithPath: file))
                what = try AnalysisFileEdit.allCases[k - Self.casesPerFormat].apply(to: file, escape: escape, &random)
            }
            let plots = folder.appendingPathComponent("plots").path
            cases.append(("analysis file case \(k) (\(what))", [
                Call(label: "plot", arguments: ["plot", folder.path, "--plots", plots, "-q"]),
                Call(label: "inspect", arguments: ["inspect", file]),
                Call(label: "export table", arguments: ["export", "table", folder.path, "-o", folder.appendingPathComponent("table.csv").path]),
                Call(label: "compare", arguments: ["compare", folder.path, folder.path, "-o", folder.appendingPathComponent("compare").path, "-q"]),
            ]))
        }
        // Not regular files: a FIFO must not block, a folder must not be opened as a file.
        let fifoFolder = sandbox.appendingPathComponent("fifo-case")
        try FileManager.default.createDirectory(at: fifoFolder, withIntermediateDirectories: true)
        #expect(mkfifo(fifoFolder.appendingPathComponent("run-1.h5").path, 0o644) == 0)
        cases.append(("FIFO named run-1.h5", runCalls(fifoFolder)))
        let findings = run(cases, in: sandbox)
        #expect(findings.isEmpty, "\(findings.count) findings in \(cases.count) cases:\n\(findings.prefix(20).joined(separator: "\n"))")
        let escaped = sandbox.appendingPathComponent(escape).standardizedFileURL.path
        #expect(!FileManager.default.fileExists(atPath: escaped), "something was written to \(escaped)")
    }
}
