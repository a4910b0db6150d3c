import Foundation
import TestSupport

/// A one-node Slurm started by `scripts/slurm-local` in a folder of the test's, and the
/// few things the cluster tests ask of it: submit, wait, read the finished jobs.
struct LocalSlurm {
    struct Failed: Error, CustomStringConvertible { var description: String }

    static let script = TestSupport.root.appendingPathComponent("scripts/slurm-local").path

    /// Why this machine cannot start the daemons (not root, no Linux, nothing to install
    /// them with), or nil when it can.
    static let unavailable: String? = {
        guard let check = try? TestSupport.run("/bin/bash", [script, "check"]) else { return "scripts/slurm-local could not be run" }
        return check.status == 0 ? nil : check.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    let folder: URL
    /// SLURM_CONF, for sbatch, squeue and the jobs.
    var environment: [String: String] { ["SLURM_CONF": folder.appendingPathComponent("slurm.conf").path] }

    /// Starts the daemons in `folder` (installing slurm-wlm and munge when missing); call
    /// ``stop()`` in a `defer` so that nothing outlives the test.
    static func start(in folder: URL) throws -> LocalSlurm {
        let slurm = LocalSlurm(folder: folder)
        let started = try TestSupport.run("/bin/bash", [script, "start", folder.path])
        guard started.status == 0 else {
            slurm.stop()
            throw Failed(description: "scripts/slurm-local start: \(started.stderr)")
        }
        return slurm
    }

    func stop() {
        _ = try? TestSupport.run("/bin/bash", [Self.script, "stop", folder.path])
    }

    /// Submits a batch script (`sbatch --parsable`, `options` before it) from `directory`;
    /// returns the job id.
    func submit(_ script: URL, options: [String], directory: URL, environment extra: [String: String]) throws -> Int {
        let result = try TestSupport.run("/usr/bin/sbatch", ["--parsable"] + options + [script.path],
                                         environment: extra.merging(environment) { $1 }, directory: directory)
        guard result.status == 0, let id = Int(result.stdout.split(separator: ";").first?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") else {
            throw Failed(description: "sbatch \(script.lastPathComponent): \(result.stderr)")
        }
        return id
    }

    /// Waits until none of `jobs` (array jobs with all their tasks) is pending or running.
    func wait(for jobs: [Int], seconds: Double) throws {
        let deadline = Date().addingTimeInterval(seconds)
        let list = jobs.map(String.init).joined(separator: ",")
        while Date() < deadline {
            let queue = try TestSupport.run("/usr/bin/squeue", ["-h", "-j", list, "-o", "%i %T"], environment: environment)
            if queue.status == 0 && queue.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return }
            Thread.sleep(forTimeInterval: 0.5)
        }
        let queue = try? TestSupport.run("/usr/bin/squeue", ["-h"], environment: environment)
        throw Failed(description: "jobs \(list) still queued after \(Int(seconds)) s: \(queue?.stdout ?? "")")
    }

    /// A finished job as jobcomp/filetxt recorded it (sacct needs slurmdbd and a database).
    struct Record {
        var fields: [String: String]
        var job: Int? { fields["ArrayJobId"].flatMap(Int.init) ?? fields["JobId"].flatMap(Int.init) }
        var task: Int? { fields["ArrayTaskId"].flatMap(Int.init) }
        var state: String { fields["JobState"] ?? "" }
        var exitCode: String { fields["ExitCode"] ?? "" }
        var start: Date? { fields["StartTime"].flatMap(Self.parse) }
        var end: Date? { fields["EndTime"].flatMap(Self.parse) }

        static func parse(_ text: String) -> Date? {
            let format = DateFormatter()
            format.locale = Locale(identifier: "en_US_POSIX")
            format.timeZone = TimeZone.current
            format.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
            return format.date(from: text)
        }
    }

    /// Every finished job so far.
    func records() throws -> [Record] {
        let text = (try? String(contentsOf: folder.appendingPathComponent("jobcomp.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map { line in
            var fields: [String: String] = [:]
            for pair in line.split(separator: " ") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else { continue }
                fields[String(parts[0])] = String(parts[1])
            }
            return Record(fields: fields)
        }
    }

    /// The `#!/bin/bash` scripts of a Markdown file's ```sh blocks, in order.
    static func batchScripts(in document: String) throws -> [String] {
        let text = try String(contentsOf: TestSupport.root.appendingPathComponent(document), encoding: .utf8)
        var scripts: [String] = [], current: [String]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line == "```sh" {
                current = []
            } else if line.hasPrefix("```"), let lines = current {
                if lines.first == "#!/bin/bash" { scripts.append(lines.joined(separator: "\n") + "\n") }
                current = nil
            } else {
                current?.append(line)
            }
        }
        return scripts
    }
}
