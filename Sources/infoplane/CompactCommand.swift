import Analysis
import ArgumentParser
import Foundation
import Recording

/// `infoplane compact RUNS…`: compacts finished run files written contiguously (by an
/// older infoplane, or with `recording.compact: false`).
struct CompactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Compact finished run files: large arrays chunked, shuffled and deflated (every HDF5 reader reads them unchanged).",
        discussion: """
        New runs are compacted when they finish unless their config says recording.compact: \
        false. A run that is not finished (running, killed or stopped early) is left contiguous, \
        so that --resume can continue it; a compacted one is left as it is. A folder stands for \
        the run-*.h5 files in it and below it. Each file is rewritten under <name>.compacting and renamed into \
        place: a crash leaves the old file.

        Examples:
          infoplane compact results/quick
          infoplane compact results/quick/run-1.h5 --level 6
        """
    )

    @Argument(help: "Run files, or folders to search for run-*.h5.")
    var paths: [String]

    @Option(help: "zlib deflate level, 1 (fastest) to 9 (smallest).")
    var level = RunCompaction.defaultLevel

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (1...9).contains(level) else { throw ValidationError("--level must be 1 to 9") }
    }

    func run() throws {
        guard RunCompaction.isAvailable else { throw InputError("this HDF5 library has no deflate filter; run files stay contiguous") }
        // Folders are searched for run-*.h5 as `analyze` searches them.
        let files = try ExperimentAnalysis.collect(paths).values.flatMap { $0 }.sorted()
        guard !files.isEmpty else { throw InputError("\(paths.joined(separator: ", ")): no run-*.h5 files") }
        var before = 0, after = 0
        let say = { (line: String) in if !output.quiet { print(line) } }
        for file in files {
            let run = try RunFile.open(file)
            if run.compacted {
                say("\(file): compacted already")
            } else if run.status != .complete && run.status != .diverged {
                say("\(file): not finished (\(run.status.rawValue)); left contiguous so that --resume can continue it")
            } else {
                let start = Date()
                let sizes = try RunCompaction.compact(file, level: level)
                let seconds = output.verbose ? String(format: " in %.2f s", Date().timeIntervalSince(start)) : ""
                before += sizes.before
                after += sizes.after
                say("\(file): \(RunSummaryText.bytes(sizes.before)) → \(RunSummaryText.bytes(sizes.after)) (\(String(format: "%.2f", Double(sizes.before) / Double(max(sizes.after, 1))))×)\(seconds)")
            }
        }
        if files.count > 1 && after > 0 {
            say("in all: \(RunSummaryText.bytes(before)) → \(RunSummaryText.bytes(after)) (\(String(format: "%.2f", Double(before) / Double(after)))×)")
        }
    }
}
