import Foundation
import Testing
import TestSupport

/// A real SIGKILL during the end-of-run compaction (not a leftover made by hand): the run
/// file stays complete and readable, the `.compacting` leftover is all that is left
/// behind, and training again removes it and compacts the run, with the same values.
@Suite("SIGKILL during compaction")
struct CompactionKillTests {
    let cli = TestSupport.product("infoplane")

    @Test func aKillDuringCompactionLosesNothing() throws {
        let folder = TestSupport.temporaryDirectory("compaction-kill")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Every epoch recorded in float32: about 100 MB to compact, long enough to be caught.
        let config = folder.appendingPathComponent("k.yaml").path
        try """
        name: k
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
        model: {widths: [12, 10, 7, 5, 4, 3]}
        training: {epochs: 150, batch_size: 512, optimizer: {kind: adam, learning_rate: 0.001}}
        recording: {schedule: every_epoch, storage: float32}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let run = folder.appendingPathComponent("k/run-1.h5").path, leftover = run + ".compacting"
        var caught = false
        for attempt in 1...3 where !caught {
            try? FileManager.default.removeItem(atPath: folder.appendingPathComponent("k").path)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: cli)
            process.arguments = ["train", config, "--results", folder.path, "-q"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Watch for the compaction's file, then kill a few milliseconds into it.
            let deadline = Date().addingTimeInterval(120)
            while process.isRunning && Date() < deadline {
                if FileManager.default.fileExists(atPath: leftover) {
                    Thread.sleep(forTimeInterval: 0.005 * Double(attempt))
                    kill(process.processIdentifier, SIGKILL)
                    caught = true
                    break
                }
                usleep(500)
            }
            process.waitUntilExit()
            caught = caught && process.terminationReason == .uncaughtSignal
        }
        try #require(caught, "the compaction finished before it could be killed, three times")

        // The run is complete and readable as it was before compacting; the leftover is all.
        #expect(FileManager.default.fileExists(atPath: leftover))
        let inspected = try TestSupport.run(cli, ["inspect", run, "--json"])
        #expect(inspected.status == 0 && inspected.stdout.contains("\"status\" : \"complete\"") && !inspected.stdout.contains("\"compaction\""),
                "\(inspected.stdout.prefix(600)) \(inspected.stderr)")
        let before = folder.appendingPathComponent("before.h5").path
        try FileManager.default.copyItem(atPath: run, toPath: before)

        // Training again finishes the job, says so, and changes no value.
        let again = try TestSupport.run(cli, ["train", config, "--results", folder.path])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("removed (left by an interrupted compaction") && again.stderr.contains("compacted now"), "\(again.stderr)")
        #expect(!FileManager.default.fileExists(atPath: leftover))
        let after = try TestSupport.run(cli, ["inspect", run, "--json"])
        #expect(after.stdout.contains("\"compaction\" : \"shuffle+deflate"), "\(after.stdout.prefix(600))")
        let same = try TestSupport.runPython(RunFileComparison.sameTraining, [before, run])
        #expect(same.status == 0, "\(same.stderr)")
    }
}
