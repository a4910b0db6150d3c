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
    }
}
