import Foundation
import Testing
import TestSupport

/// docs/cluster.md on a real Slurm: Debian's slurm-wlm 22.05 started on this machine by
/// `scripts/slurm-local` (one node, its processors and memory), the three scripts submitted
/// as the docs write them, and a training task ended by its time limit and resubmitted.
/// Skipped, with the reason, where the daemons cannot be started (not root).
@Suite("docs/cluster.md on a one-node Slurm", .serialized,
       .enabled(if: LocalSlurm.unavailable == nil, Comment(rawValue: "no one-node Slurm here: \(LocalSlurm.unavailable ?? "")")))
struct ClusterTests {
    let cli = TestSupport.product("infoplane")

    /// A folder holding what the scripts name: experiments/tishby2017.yaml (made small:
    /// `repeats` runs of `epochs` epochs, 30 log-spaced logged epochs), data/ and
    /// `infoplane` on the PATH the jobs inherit.
    func workspace(_ directory: URL, repeats: Int, epochs: Int) throws -> [String: String] {
        let manager = FileManager.default
        try manager.createDirectory(at: directory.appendingPathComponent("experiments"), withIntermediateDirectories: true)
        try manager.createDirectory(at: directory.appendingPathComponent("logs"), withIntermediateDirectories: true)
        try manager.createSymbolicLink(at: directory.appendingPathComponent("data"), withDestinationURL: TestSupport.root.appendingPathComponent("data"))
        var text = try String(contentsOf: TestSupport.root.appendingPathComponent("experiments/tishby2017.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "repeats: 50 ", with: "repeats: \(repeats) ")
            .replacingOccurrences(of: "epochs: 10000", with: "epochs: \(epochs)")
            .replacingOccurrences(of: "{log_spaced: 1800}", with: "{log_spaced: 30}")
        #expect(text.contains("repeats: \(repeats) ") && text.contains("epochs: \(epochs)") && text.contains("log_spaced: 30"), "tishby2017.yaml changed its layout")
        try text.write(to: directory.appendingPathComponent("experiments/tishby2017.yaml"), atomically: true, encoding: .utf8)
        let binaries = URL(fileURLWithPath: cli).deletingLastPathComponent().path
        return ["PATH": binaries + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
    }

    func write(_ text: String, to directory: URL, named name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Training array → analysis array (afterok) → merge (afterok), as docs/cluster.md has
    /// them; the array's tasks run at once, the merge equals a one-node analysis dataset for
    /// dataset, and the GNU parallel one-liner of the README trains the same runs.
    @Test func theDocumentedScriptsRunAsWritten() throws {
        let directory = TestSupport.temporaryDirectory("cluster")
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = try workspace(directory, repeats: 2, epochs: 800)
        let slurm = try LocalSlurm.start(in: directory.appendingPathComponent("slurm"))
        defer { slurm.stop() }
        let scripts = try LocalSlurm.batchScripts(in: "docs/cluster.md")
        try #require(scripts.count == 3, "docs/cluster.md should hold the training, analysis and merge scripts")
        // The scripts as written; only the job ids they leave to the reader are filled in.
        // The node has this machine's 2 processors and the scripts ask 2 per task: one per
        // task here, so that two tasks run at once as on a larger node.
        let options = ["--cpus-per-task=1", "--output=logs/%x-%A_%a.out"]
        let train = try slurm.submit(try write(scripts[0], to: directory, named: "train.sh"), options: options, directory: directory, environment: environment)
        let analyze = try slurm.submit(try write(scripts[1].replacingOccurrences(of: "<train job id>", with: "\(train)"), to: directory, named: "analyze.sh"),
                                       options: options, directory: directory, environment: environment)
        let merge = try slurm.submit(try write(scripts[2].replacingOccurrences(of: "<analyze job id>", with: "\(analyze)"), to: directory, named: "merge.sh"),
                                     options: ["--output=logs/%x-%j.out"], directory: directory, environment: environment)
        try slurm.wait(for: [train, analyze, merge], seconds: 300)

        // What Slurm recorded: every task of every job completed with exit 0.
        let records = try slurm.records()
        let trained = records.filter { $0.job == train }, analysed = records.filter { $0.job == analyze }, merged = records.filter { $0.job == merge }
        #expect(trained.count == 10 && analysed.count == 10 && merged.count == 1, "\(records.map(\.fields))")
        for record in trained + analysed + merged {
            #expect(record.state == "COMPLETED" && record.exitCode == "0:0", "\(record.fields)")
        }
        let logs = (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("logs").path)) ?? []
        #expect(logs.count == 21, "\(logs)")
        // Shards 0 and 1 trained the two runs, at the same time. Slurm records whole seconds,
        // so the intervals are closed: a task that starts and ends within one second (a fast
        // machine) still meets the other.
        let busy = trained.filter { $0.task == 0 || $0.task == 1 }.compactMap { r in r.start.flatMap { s in r.end.map { (s, $0) } } }
        #expect(busy.count == 2 && busy[0].0 <= busy[1].1 && busy[1].0 <= busy[0].1, "the two training tasks did not overlap: \(busy)")
        // afterok: analysis only after all training, the merge only after all analysis.
        if let lastTrained = trained.compactMap(\.end).max(), let firstAnalysed = analysed.compactMap(\.start).min(),
           let lastAnalysed = analysed.compactMap(\.end).max(), let mergeStart = merged.first?.start {
            #expect(firstAnalysed >= lastTrained && mergeStart >= lastAnalysed)
        } else {
            Issue.record("start or end times missing: \(records.map(\.fields))")
        }

        // Every run file, every shard, the merged analysis and its figures.
        let folder = directory.appendingPathComponent("results/tishby2017")
        func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path) }
        #expect(exists("run-1.h5") && exists("run-2.h5") && exists("analysis.h5") && exists("analysis.csv"))
        // Shards 0 and 1 analysed a run each; the eight without runs write no file (merge knows).
        for i in 0..<10 { #expect(exists("analysis.shard-\(i)-of-10.h5") == (i < 2), "shard \(i)") }
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("plots/tishby2017/information_plane.svg").path))
        // The merge equals what one node writes, dataset for dataset.
        let single = directory.appendingPathComponent("single.h5").path
        let one = try TestSupport.run(cli, ["analyze", folder.path, "-o", single, "-q"], environment: environment)
        #expect(one.status == 0, "\(one.stderr)")
        let same = try TestSupport.runPython(ShardedAnalysisTests.compareDatasets, [single, folder.appendingPathComponent("analysis.h5").path])
        #expect(same.status == 0, "\(same.stderr)")

        // The README's GNU parallel line, in a folder of its own: the same two runs, bit for bit.
        let parallelFolder = directory.appendingPathComponent("parallel")
        let parallelEnvironment = try workspace(parallelFolder, repeats: 2, epochs: 800)
        let readme = try String(contentsOf: TestSupport.root.appendingPathComponent("README.md"), encoding: .utf8)
        let line = try #require(readme.range(of: #"parallel infoplane train [^`]*"#, options: .regularExpression).map { String(readme[$0]) })
        let parallel = try TestSupport.run("/bin/bash", ["-c", "set -eo pipefail\n" + line], environment: parallelEnvironment, directory: parallelFolder)
        #expect(parallel.status == 0, "\(line): \(parallel.stderr)")
        for run in ["run-1.h5", "run-2.h5"] {
            let pair = [folder.appendingPathComponent(run).path, parallelFolder.appendingPathComponent("results/tishby2017/\(run)").path]
            let compared = try TestSupport.runPython(RunFileComparison.sameTraining, pair)
            #expect(compared.status == 0, "\(run): \(compared.stderr)")
        }
    }

    /// Whether to run the time-limit case: Slurm's shortest limit is a minute, enforced by a
    /// check every 30 s, so the case keeps both processors busy for about 2.5 minutes, more
    /// than `make test` can spend within CI's 15 minutes. `make cluster-test` sets it.
    static let timeLimitWanted = ProcessInfo.processInfo.environment["INFOPLANE_SLURM_TIME_LIMIT"] == "1"

    /// A training task killed at its time limit (SIGTERM from Slurm, then SIGKILL after
    /// KillWait) commits the epoch it is in and says how to continue; resubmitted with
    /// --resume as docs/cluster.md says, it finishes a run identical to one never stopped.
    @Test(.enabled(if: timeLimitWanted, "the time-limit case takes 2.5 minutes of both processors: make cluster-test runs it (INFOPLANE_SLURM_TIME_LIMIT=1)"))
    func aTaskEndedByItsTimeLimitResumesIdentically() throws {
        let directory = TestSupport.temporaryDirectory("cluster-limit")
        defer { try? FileManager.default.removeItem(at: directory) }
        // A run long enough to outlast Slurm's shortest limit (1 minute, enforced by a check
        // every 30 s): 110 s of training at this machine's speed, measured from two short runs
        // (their difference leaves out the start-up).
        var seconds: [Double] = []
        for epochs in [200, 1200] {
            let probe = directory.appendingPathComponent("probe-\(epochs)")
            let probeEnvironment = try workspace(probe, repeats: 1, epochs: epochs)
            let started = Date()
            let timed = try TestSupport.run(cli, ["train", "experiments/tishby2017.yaml", "-q", "--jobs", "1"], environment: probeEnvironment, directory: probe)
            try #require(timed.status == 0, "\(timed.stderr)")
            seconds.append(Date().timeIntervalSince(started))
        }
        let perEpoch = max(seconds[1] - seconds[0], 0.1) / 1000
        let epochs = max(5000, Int(100 / perEpoch))
        let environment = try workspace(directory, repeats: 1, epochs: epochs)
        let slurm = try LocalSlurm.start(in: directory.appendingPathComponent("slurm"))
        defer { slurm.stop() }
        let command = "infoplane train experiments/tishby2017.yaml --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT"
        let script = try write("#!/bin/bash\n#SBATCH --job-name=train\n#SBATCH --array=0-0\n#SBATCH --time=1\n\(command)\n", to: directory, named: "limited.sh")
        let limited = try slurm.submit(script, options: ["--cpus-per-task=1", "--output=logs/%x-%A_%a.out"], directory: directory, environment: environment)
        // Resubmitted with --resume, as docs/cluster.md says: here queued at once to start
        // when the first one fails (afternotok), as a chain of jobs would on a cluster.
        let resumeScript = try write("#!/bin/bash\n#SBATCH --job-name=resume\n#SBATCH --array=0-0\n\(command) --resume\n", to: directory, named: "resume.sh")
        let resumed = try slurm.submit(resumeScript, options: ["--cpus-per-task=1", "--output=logs/%x-%A_%a.out", "--dependency=afternotok:\(limited)"],
                                       directory: directory, environment: environment)
        // The same run, never stopped, beside them on the other processor.
        let reference = directory.appendingPathComponent("reference").path
        let uninterrupted = try TestSupport.run(cli, ["train", "experiments/tishby2017.yaml", "-q", "--jobs", "1", "--results", reference],
                                                environment: environment, directory: directory)
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")
        try slurm.wait(for: [limited, resumed], seconds: 300)
        let ended = try #require(try slurm.records().first { $0.job == limited })
        #expect(ended.state == "TIMEOUT", "\(ended.fields)")
        let log = try String(contentsOf: directory.appendingPathComponent("logs/train-\(limited)_0.out"), encoding: .utf8)
        #expect(log.contains("SIGTERM") && log.contains("continue with: infoplane train") && log.contains("--resume"), "\(log)")
        // The resubmission continued from the committed rows (not from scratch) to the end.
        let finished = try #require(try slurm.records().first { $0.job == resumed })
        #expect(finished.state == "COMPLETED" && finished.exitCode == "0:0", "\(finished.fields)")
        let second = try String(contentsOf: directory.appendingPathComponent("logs/resume-\(resumed)_0.out"), encoding: .utf8)
        #expect(second.contains("resumed ") && second.contains("run-1.h5"), "\(second)")
        let run = directory.appendingPathComponent("results/tishby2017/run-1.h5").path
        let compared = try TestSupport.runPython(RunFileComparison.sameTraining, [run, reference + "/tishby2017/run-1.h5"])
        #expect(compared.status == 0, "\(compared.stderr)")
    }
}
