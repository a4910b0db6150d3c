import Console
import Experiments
import Foundation
import TestSupport
import Testing

/// SIGTERM (a scheduler's time limit) and SIGINT with output going to a log file: lines
/// arrive as they are printed, the runs under way finish their epoch and stop readable,
/// the command says how to continue and exits 128 + the signal; continuing finishes them.
@Suite("Interruption: SIGTERM and SIGINT during training", .serialized)
struct InterruptionTests {
    let cli = TestSupport.product("infoplane")
    let quick = TestSupport.root.appendingPathComponent("experiments/quick.yaml").path

    @Test(arguments: [SIGTERM, SIGINT])
    func aSignalStopsAfterTheEpochAndSaysHowToContinue(_ signal: Int32) throws {
        let folder = TestSupport.temporaryDirectory("interruption")
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = folder.appendingPathComponent("out.log").path, errors = folder.appendingPathComponent("err.log").path
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        let results = folder.appendingPathComponent("r").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cli)
        process.arguments = ["train", quick, "--results", results, "--set", "repeats=3", "--set", "training.epochs=3000", "--jobs", "1"]
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        try process.run()
        // The first run's line must reach the log while the command still runs (line buffering).
        let deadline = Date().addingTimeInterval(120)
        var first = ""
        while process.isRunning && Date() < deadline && !first.contains("trained") {
            usleep(50_000)
            first = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        }
        try #require(process.isRunning && first.contains("trained  "), "the first run's line did not arrive while training: \(first)")
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 128 + signal)
        let stderr = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
        let last = stderr.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("infoplane: \(signal == SIGTERM ? "SIGTERM" : "SIGINT"): ") && last.contains("continue with: infoplane train"), "\(stderr)")
        let stdout = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(stdout.contains("interrupted"), "\(stdout)")
        // The printed command continues every run to the end.
        let command = try #require(last.components(separatedBy: "continue with: ").last)
        let arguments = command.split(separator: " ").dropFirst().map(String.init)
        #expect(arguments.contains("--resume") && arguments.contains("--results"))
        let resumed = try TestSupport.run(cli, arguments)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        for seed in 1...3 {
            let inspected = try TestSupport.run(cli, ["inspect", results + "/quick/run-\(seed).h5"])
            #expect(inspected.stdout.contains("complete: 3000 of 3000 epochs"), "\(inspected.stdout)")
        }
    }

    /// Progress lines in a log stay readable for slow epochs (they said "0/s").
    @Test func slowRatesAreReadable() {
        #expect(ProgressReporter.rate(0.05, unit: "epochs") == "20 s/epoch")
        #expect(ProgressReporter.rate(2.5, unit: "epochs") == "2.5/s")
        #expect(ProgressReporter.rate(120, unit: "epochs") == "120/s")
        #expect(ProgressReporter.rate(0, unit: "epochs") == "–/s")
    }
}
