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
        its run-*.h5 files. Each file is rewritten under <name>.compacting and renamed into \
        place: a crash leaves the old file.

        Examples:
          infoplane compact results/quick
          infoplane compact results/quick/run-1.h5 --level 6
        """
    )

    @Argument(help: "Run files, or folders holding run-*.h5 files.")
    var paths: [String]

    @Option(help: "zlib deflate level, 1 (fastest) to 9 (smallest).")
    var level = RunCompaction.defaultLevel

    func validate() throws {
        guard (1...9).contains(level) else { throw ValidationError("--level must be 1 to 9") }
    }

    func run() throws {
        guard RunCompaction.isAvailable else { throw InputError("this HDF5 library has no deflate filter; run files stay contiguous") }
        var files: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw InputError("\(path): no such file or folder") }
            if isFolder.boolValue {
                let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
                    .filter { $0.hasPrefix("run-") && $0.hasSuffix(".h5") }.sorted()
                guard !names.isEmpty else { throw InputError("\(path): a folder without run-*.h5 files") }
                files += names.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        var before = 0, after = 0
        for file in files {
            let run = try RunFile.open(file)
            if run.compacted {
                print("\(file): compacted already")
            } else if run.status != .complete && run.status != .diverged {
                print("\(file): not finished (\(run.status.rawValue)); left contiguous so that --resume can continue it")
            } else {
                let sizes = try RunCompaction.compact(file, level: level)
                before += sizes.before
                after += sizes.after
                print("\(file): \(RunSummaryText.bytes(sizes.before)) → \(RunSummaryText.bytes(sizes.after)) (\(String(format: "%.2f", Double(sizes.before) / Double(max(sizes.after, 1))))×)")
            }
        }
        if files.count > 1 && after > 0 {
            print("in all: \(RunSummaryText.bytes(before)) → \(RunSummaryText.bytes(after)) (\(String(format: "%.2f", Double(before) / Double(after)))×)")
        }
    }
}
