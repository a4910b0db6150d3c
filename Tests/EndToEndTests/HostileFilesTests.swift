import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Planted links, crafted analysis files and shard names, and unbounded options: each is
/// one `infoplane:` line with exit 2, and nothing outside the folder is read or written.
@Suite("Hostile files: links, run paths, shard names, bounds", .serialized)
struct HostileFilesTests {
    let cli = TestSupport.product("infoplane")

    /// A five-epoch experiment `s` trained into `folder/results`.
    func trained(_ folder: URL, train: Bool = true) throws -> String {
        let config = folder.appendingPathComponent("s.yaml").path
        try """
        name: s
        seed: 1
        repeats: 1
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
        model: {widths: [4, 3]}
        training: {epochs: 5, batch_size: 256, optimizer: {kind: adam, learning_rate: 0.01}}
        recording: {schedule: every_epoch}
        analysis: {estimators: [{kind: binning, bins: 10}], plots: [information_plane]}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        if train {
            let result = try TestSupport.run(cli, ["train", config, "--results", folder.appendingPathComponent("results").path, "-q"])
            try #require(result.status == 0, "\(result.stderr)")
        }
        return config
    }

    func expectRefused(_ result: TestSupport.ProcessResult, _ words: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 2 && result.stderr.hasPrefix("infoplane: ") && result.stderr.contains(words)
                && result.stderr.split(separator: "\n").count == 1, "\(result.status): \(result.stderr)", sourceLocation: sourceLocation)
    }

    /// A link at a run's, an analysis's or a plot folder's lock file is refused, and its
    /// target (existing or not) is never written.
    @Test func lockFilesBehindLinks() throws {
        let folder = TestSupport.temporaryDirectory("hostile-locks")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try trained(folder, train: false)
        let victim = folder.appendingPathComponent("victim").path
        try "secret".write(toFile: victim, atomically: false, encoding: .utf8)
        let results = folder.appendingPathComponent("results/s")
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        #expect(symlink(victim, results.appendingPathComponent("run-1.h5.lock").path) == 0)
        expectRefused(try TestSupport.run(cli, ["train", config, "--results", folder.appendingPathComponent("results").path, "-q"]), "symbolic link")
        try FileManager.default.removeItem(at: results.appendingPathComponent("run-1.h5.lock"))
        _ = try trained(folder)

        let nowhere = folder.appendingPathComponent("created-by-a-dangling-link").path
        #expect(symlink(nowhere, results.appendingPathComponent("analysis.h5.lock").path) == 0)
        expectRefused(try TestSupport.run(cli, ["analyze", results.path, "-q"]), "symbolic link")
        try FileManager.default.removeItem(at: results.appendingPathComponent("analysis.h5.lock"))
        #expect(try TestSupport.run(cli, ["analyze", results.path, "-q"]).status == 0)

        let plots = folder.appendingPathComponent("plots/s")
        try FileManager.default.createDirectory(at: plots, withIntermediateDirectories: true)
        #expect(symlink(victim, plots.appendingPathComponent(".lock").path) == 0)
        expectRefused(try TestSupport.run(cli, ["plot", results.path, "--plots", folder.appendingPathComponent("plots").path, "-q"]), "symbolic link")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "secret")
        #expect(!FileManager.default.fileExists(atPath: nowhere))
    }

    /// Run paths in an analysis file lead only into its own folder tree; an analysis is
    /// never written where its runs would lie outside it.
    @Test func analysisRunPathsStayInTheirFolder() throws {
        let folder = TestSupport.temporaryDirectory("hostile-run-paths")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try trained(folder)
        let results = folder.appendingPathComponent("results/s")
        let sibling = folder.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: sibling, withIntermediateDirectories: true)
        expectRefused(try TestSupport.run(cli, ["analyze", results.path, "-o", sibling.appendingPathComponent("a.h5").path, "-q"]), "beside or above its runs")
        // Above the runs is fine, and so is beside them.
        #expect(try TestSupport.run(cli, ["analyze", results.path, "-o", folder.appendingPathComponent("above.h5").path, "-q"]).status == 0)
        #expect(try TestSupport.run(cli, ["analyze", results.path, "-q"]).status == 0)
        let analysis = results.appendingPathComponent("analysis.h5").path
        let secret = folder.appendingPathComponent("secret.csv").path
        for stored in ["../../secret.csv", secret] {
            let edit = try TestSupport.runPython("""
            import h5py, sys
            with h5py.File(sys.argv[1], "r+") as f:
                f["run_path"][0] = sys.argv[2]
            """, [analysis, stored])
            try #require(edit.status == 0, "\(edit.stderr)")
            expectRefused(try TestSupport.run(cli, ["plot", results.path, "--plots", folder.appendingPathComponent("plots").path, "-q"]), "outside the analysis file's folder")
            expectRefused(try TestSupport.run(cli, ["export", "table", results.path, "-o", folder.appendingPathComponent("t.csv").path]), "outside the analysis file's folder")
        }
    }

    /// Shard names with absurd counts are not shards (analyze --merge used to loop over
    /// 2^63 expected names); --shard refuses counts past 10,000.
    @Test func shardNamesWithAbsurdCounts() throws {
        let folder = TestSupport.temporaryDirectory("hostile-shards")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try trained(folder)
        let results = folder.appendingPathComponent("results/s")
        for name in ["analysis.shard-0-of-9223372036854775807.h5", "analysis.shard-5-of-3.h5", "analysis.shard--1-of-2.h5"] {
            FileManager.default.createFile(atPath: results.appendingPathComponent(name).path, contents: Data())
        }
        let merge = try TestSupport.runBounded(cli, ["analyze", results.path, "--merge"], seconds: 60)
        #expect(!merge.timedOut && !merge.signaled && merge.status == 2 && merge.stderr.contains("no analysis.shard-*-of-*.h5 to merge"), "\(merge)")
        expectRefused(try TestSupport.run(cli, ["analyze", results.path, "--shard", "0/10001"]), "≤ 10000")
    }

    @Test func unboundedOptionsAreRefusedBeforeWork() throws {
        let folder = TestSupport.temporaryDirectory("hostile-options")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try trained(folder)
        let run = folder.appendingPathComponent("results/s/run-1.h5").path
        let plots = folder.appendingPathComponent("plots").path
        expectRefused(try TestSupport.run(cli, ["explain", run, "--steps", "1000000000", "--plots", plots]), "--steps 1000000000: expected 1 to 10000")
        expectRefused(try TestSupport.run(cli, ["explain", run, "--region", "0", "--plots", plots]), "--region 0")
        expectRefused(try TestSupport.run(cli, ["visualize", "tsne", run, "--layer", "hidden1", "--samples", "1000000000", "--plots", plots]),
                      "the run recorded 4096 samples")
        expectRefused(try TestSupport.run(cli, ["visualize", "tsne", run, "--layer", "hidden1", "--iterations", "100000000", "--plots", plots]),
                      "--iterations 100000000")
    }

    /// Whether this machine lets the tests mount a small tmpfs in a mount namespace of
    /// their own (root with `unshare`): the full- and read-only-disk cases need one.
    static let canMountTmpfs: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return false }
        let probe = TestSupport.temporaryDirectory("tmpfs-probe")
        defer { try? FileManager.default.removeItem(at: probe) }
        let result = try? TestSupport.run("/usr/bin/unshare", ["-m", "/bin/sh", "-c", "mount -t tmpfs -o size=1m tmpfs \"$0\"", probe.path])
        return result?.status == 0
    }()

    /// A full disk under `plot` fails with ENOSPC named (exit 1) and leaves the previous
    /// figures whole; a read-only results folder is named as such before any work. The
    /// tmpfs lives in a private mount namespace, so nothing outside this test sees it.
    @Test(.enabled(if: canMountTmpfs, "needs root and unshare to mount a small tmpfs in a private mount namespace"))
    func fullAndReadOnlyDisks() throws {
        let folder = TestSupport.temporaryDirectory("hostile-disks")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try trained(folder)
        let results = folder.appendingPathComponent("results/s").path
        try #require(try TestSupport.run(cli, ["analyze", results, "-q"]).status == 0)
        let plots = folder.appendingPathComponent("plots")
        try FileManager.default.createDirectory(at: plots, withIntermediateDirectories: true)
        let script = """
        set -u
        mount -t tmpfs -o size=2m tmpfs "$PLOTS" || exit 90
        "$CLI" plot "$RESULTS" --plots "$PLOTS" -q 2>/dev/null; echo "first=$?"
        before=$(sha256sum "$PLOTS/s/information_plane.png" | cut -c1-64)
        # Fill the disk, leaving a few KiB: the next figures cannot be written whole.
        head -c 4m /dev/zero > "$PLOTS/filler" 2>/dev/null
        "$CLI" plot "$RESULTS" --plots "$PLOTS" -q 2> "$OUT/full.err"; echo "full=$?"
        after=$(sha256sum "$PLOTS/s/information_plane.png" | cut -c1-64)
        [ "$before" = "$after" ] && echo "png=intact" || echo "png=changed"
        ls "$PLOTS/s" | grep -c tmp- | sed 's/^/leftovers=/'
        mount -o remount,ro "$PLOTS" || exit 91
        "$CLI" train "$CONFIG" --results "$PLOTS/r" -q 2> "$OUT/ro.err"; echo "readonly=$?"
        """
        let out = folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let result = try TestSupport.run("/usr/bin/unshare", ["-m", "/bin/sh", "-c", script], environment: [
            "CLI": cli, "RESULTS": results, "PLOTS": plots.path, "OUT": out.path, "CONFIG": config, "PATH": "/usr/bin:/bin",
        ])
        let lines = Set(result.stdout.split(separator: "\n").map(String.init))
        #expect(lines.isSuperset(of: ["first=0", "full=1", "png=intact", "leftovers=0", "readonly=2"]), "\(result.stdout) \(result.stderr)")
        let full = (try? String(contentsOf: out.appendingPathComponent("full.err"), encoding: .utf8)) ?? ""
        #expect(full.hasPrefix("infoplane: ") && full.contains("ENOSPC") && !full.contains("NSCocoaErrorDomain") && full.split(separator: "\n").count == 1, "\(full)")
        let readOnly = (try? String(contentsOf: out.appendingPathComponent("ro.err"), encoding: .utf8)) ?? ""
        #expect(readOnly.contains("read-only (EROFS)"), "\(readOnly)")
    }

    /// A disk too full for the end-of-run compaction leaves a complete, uncompacted run
    /// and one warning (exit 0). A kill during a compaction leaves a `.compacting` file
    /// beside such a run (made here by hand): training again removes it and compacts the
    /// run, saying both; without the leftover, training again rewrites nothing.
    @Test(.enabled(if: canMountTmpfs, "needs root and unshare to mount a small tmpfs in a private mount namespace"))
    func anInterruptedCompactionIsFinishedLater() throws {
        let folder = TestSupport.temporaryDirectory("hostile-compaction")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try trained(folder, train: false)
        let disk = folder.appendingPathComponent("disk")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        let script = """
        set -u
        mount -t tmpfs -o size=1600k tmpfs "$DISK" || exit 90
        "$CLI" train "$CONFIG" --results "$DISK/r" 2> "$OUT/first.err"; echo "first=$?"
        "$CLI" inspect "$DISK/r/s/run-1.h5" | grep -c -i "compacted" | sed 's/^/compactedBefore=/'
        mount -o remount,size=16m "$DISK" || exit 91
        "$CLI" train "$CONFIG" --results "$DISK/r" -q; echo "again=$?"
        "$CLI" inspect "$DISK/r/s/run-1.h5" | grep -c -i "compacted" | sed 's/^/compactedAgain=/'
        echo leftover > "$DISK/r/s/run-1.h5.compacting"
        "$CLI" train "$CONFIG" --results "$DISK/r" 2> "$OUT/second.err"; echo "second=$?"
        [ -e "$DISK/r/s/run-1.h5.compacting" ] && echo "leftover=kept" || echo "leftover=removed"
        "$CLI" inspect "$DISK/r/s/run-1.h5" | grep -c -i "compacted" | sed 's/^/compactedAfter=/'
        """
        let out = folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let result = try TestSupport.run("/usr/bin/unshare", ["-m", "/bin/sh", "-c", script], environment: [
            "CLI": cli, "DISK": disk.path, "OUT": out.path, "CONFIG": config, "PATH": "/usr/bin:/bin",
        ])
        let lines = Set(result.stdout.split(separator: "\n").map(String.init))
        #expect(lines.isSuperset(of: ["first=0", "compactedBefore=0", "again=0", "compactedAgain=0", "second=0", "leftover=removed"]) && !lines.contains("compactedAfter=0"),
                "\(result.stdout) \(result.stderr)")
        let first = (try? String(contentsOf: out.appendingPathComponent("first.err"), encoding: .utf8)) ?? ""
        #expect(first.contains("finished, but not compacted") && first.contains("ENOSPC"), "\(first)")
        let second = (try? String(contentsOf: out.appendingPathComponent("second.err"), encoding: .utf8)) ?? ""
        #expect(second.contains("compacted now") && second.contains("removed (left by an interrupted compaction"), "\(second)")
    }

    /// A model whose weights alone would not fit is refused by the plan, naming the
    /// layer and the limit, before anything is allocated (it used to abort the process).
    @Test func aModelTooLargeToAllocateIsRefused() throws {
        let folder = TestSupport.temporaryDirectory("hostile-widths")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try trained(folder, train: false)
        let result = try TestSupport.run(cli, ["train", config, "--results", folder.appendingPathComponent("results").path, "-q",
                                               "--set", "model.widths=[1000000, 1000000]"])
        expectRefused(result, "hidden2: weights of shape [1000000, 1000000] bring the model past 268435456 parameters (1.0 GiB as float32)")
    }

    /// Under an address-space limit too small for OpenBLAS's buffers (which it retries
    /// forever), the command refuses at once instead of spinning.
    @Test func anAddressSpaceLimitTooSmallIsSaidNotSpun() throws {
        let result = try TestSupport.runBounded("/bin/sh", ["-c", "ulimit -v 200000 && exec \"$0\" --version", cli], seconds: 30)
        #expect(!result.timedOut && !result.signaled && result.status == 1, "\(result)")
        #expect(result.stderr.hasPrefix("infoplane: the address-space limit (ulimit -v) is 195 MiB") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }
}
