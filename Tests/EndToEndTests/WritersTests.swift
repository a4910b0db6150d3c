import Foundation
import Synchronization
import Testing
import TestSupport

/// Work that is never lost to a second writer or a changed configuration.
@Suite("One writer, one configuration", .serialized)
struct WritersTests {
    let cli = TestSupport.product("infoplane")
    let quick = TestSupport.root.appendingPathComponent("experiments/quick.yaml").path

    func train(_ results: String, _ settings: [String], _ flags: [String] = []) throws -> TestSupport.ProcessResult {
        try TestSupport.run(cli, ["train", quick, "-q", "--results", results] + flags + settings.flatMap { ["--set", $0] })
    }

    @Test func resumeRefusesAChangedConfiguration() throws {
        let dir = TestSupport.temporaryDirectory("resume-check")
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = ["repeats=1", "training.epochs=60"]
        #expect(try train(dir.path, base).status == 0)
        let rate = try train(dir.path, base + ["training.optimizer.learning_rate=0.01"], ["--resume"])
        #expect(rate.status == 2 && rate.stderr.contains("training.optimizer.learning_rate"), "\(rate.stderr)")
        let longer = try train(dir.path, ["repeats=1", "training.epochs=120"], ["--resume"])
        #expect(longer.status == 2 && longer.stderr.contains("training.epochs"), "\(longer.stderr)")
        let same = try train(dir.path, base, ["--resume"])
        #expect(same.status == 0, "\(same.stderr)")
    }

    /// Training an experiment again is safe: complete runs of the same configuration are
    /// skipped (their bytes untouched), more repeats train only the new runs, and a changed
    /// configuration is refused naming the key.
    @Test func trainingAgainSkipsCompleteRuns() throws {
        let dir = TestSupport.temporaryDirectory("train-again")
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = ["repeats=1", "training.epochs=40"]
        #expect(try train(dir.path, base).status == 0)
        let file = dir.appendingPathComponent("quick/run-1.h5")
        let before = try Data(contentsOf: file)
        let again = try TestSupport.run(cli, ["train", quick, "--results", dir.path, "--set", "repeats=1", "--set", "training.epochs=40"])
        #expect(again.status == 0 && again.stderr.contains("are complete: nothing to train"), "\(again.stderr)")
        #expect(try Data(contentsOf: file) == before)
        let more = try TestSupport.run(cli, ["train", quick, "--results", dir.path, "--set", "repeats=2", "--set", "training.epochs=40"])
        #expect(more.status == 0 && more.stderr.contains("1 run(s) of quick to train") && more.stderr.contains("1 complete, skipped"), "\(more.stderr)")
        #expect(more.stdout.contains("trained  \(dir.path)/quick/run-2.h5") && more.stdout.contains("skipped  \(dir.path)/quick/run-1.h5"), "\(more.stdout)")
        #expect(try Data(contentsOf: file) == before)
        let changed = try train(dir.path, base + ["training.optimizer.learning_rate=0.01"])
        #expect(changed.status == 2 && changed.stderr.contains("training.optimizer.learning_rate") && changed.stderr.contains("--force"), "\(changed.stderr)")
        let longer = try train(dir.path, ["repeats=1", "training.epochs=80"])
        #expect(longer.status == 2 && longer.stderr.contains("--extend-to 80"), "\(longer.stderr)")
    }

    @Test func twoTrainsIntoOneFolder() throws {
        let dir = TestSupport.temporaryDirectory("two-writers")
        defer { try? FileManager.default.removeItem(at: dir) }
        for trial in 0..<3 {
            let results = dir.appendingPathComponent("trial-\(trial)").path
            let settings = ["repeats=2", "training.epochs=300"]
            let finished = Mutex<[TestSupport.ProcessResult]>([])
            let group = DispatchGroup()
            for _ in 0..<2 {
                group.enter()
                DispatchQueue.global().async {
                    if let result = try? train(results, settings) { finished.withLock { $0.append(result) } }
                    group.leave()
                }
            }
            group.wait()
            let results2 = finished.withLock { $0 }
            #expect(results2.count == 2)
            let codes = results2.map(\.status).sorted()
            // One trains; the other stops at the lock (exit 2), or, if it came after the first
            // had finished, finds the runs complete and skips them (exit 0, nothing rewritten).
            #expect(codes == [0, 2] || codes == [0, 0], "trial \(trial): \(results2.map(\.stderr))")
            if codes == [0, 2] {
                #expect(results2.contains { $0.stderr.contains("another infoplane (pid") }, "trial \(trial): \(results2.map(\.stderr))")
            }
            for run in ["run-1.h5", "run-2.h5"] {
                let inspect = try TestSupport.run(cli, ["inspect", "\(results)/quick/\(run)"])
                #expect(inspect.status == 0 && inspect.stdout.contains("complete: 300 of 300"), "\(inspect.stdout)\(inspect.stderr)")
            }
        }
    }
}
