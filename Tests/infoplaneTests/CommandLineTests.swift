import Foundation
import Testing
import TestSupport

@Suite("Command line")
struct CommandLineTests {
    let binary = TestSupport.product("infoplane")

    @Test func versionAndHelp() throws {
        let version = try TestSupport.run(binary, ["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
        let help = try TestSupport.run(binary, ["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("environment"))
        #expect(help.stdout.contains("Example"))
    }

    @Test func usageErrorsExitWithTwo() throws {
        let unknown = try TestSupport.run(binary, ["no-such-command"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no-such-command"))
        let badOption = try TestSupport.run(binary, ["environment", "--bogus"])
        #expect(badOption.status == 2)
        #expect(badOption.stderr.contains("--bogus"))
    }

    @Test func environmentNamesTheLibraries() throws {
        let result = try TestSupport.run(binary, ["environment"], environment: ["INFOPLANE_BLAS_THREADS": "2"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("HDF5 1."))
        #expect(result.stdout.contains("2 thread(s)"))
        // libdeflate inflates compacted files where the system has it (libdeflate0).
        let libdeflate = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"]
            .contains { FileManager.default.fileExists(atPath: $0 + "/libdeflate.so.0") }
        #expect(result.stdout.contains("compacted files inflated by \(libdeflate ? "libdeflate" : "zlib")"), "\(result.stdout)")
    }

    /// `--jobs` defaults to the processors the process may use, not the machine's: one run
    /// at a time under `taskset -c 0`, and under SLURM_CPUS_PER_TASK=1.
    @Test func jobsFollowTheAffinityMask() throws {
        let dir = TestSupport.temporaryDirectory("affinity")
        defer { try? FileManager.default.removeItem(at: dir) }
        let arguments = ["train", TestSupport.root.appendingPathComponent("experiments/quick.yaml").path, "--results", dir.path, "--force",
                         "--set", "repeats=2", "--set", "training.epochs=5"]
        let pinned = try TestSupport.run("/usr/bin/taskset", ["-c", "0", binary] + arguments)
        #expect(pinned.status == 0 && pinned.stderr.contains("2 run(s) of quick to train, 1 at a time"), "\(pinned.stderr)")
        let slurm = try TestSupport.run(binary, arguments, environment: ["SLURM_CPUS_PER_TASK": "1"])
        #expect(slurm.status == 0 && slurm.stderr.contains("1 at a time"), "\(slurm.stderr)")
    }
}
