import Foundation
import Testing
import TestSupport

/// `infoplane inspect` on a real run file, readable and as JSON, and on bad input.
@Suite("infoplane inspect")
struct InspectTests {
    let cli = TestSupport.product("infoplane")
    @Test func summarisesARun() throws {
        let directory = TestSupport.temporaryDirectory("inspect")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("inspect.yaml").path
        try """
        name: inspect
        seed: 3
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
        model: {widths: [10, 7, 5, 4, 3]}
        training: {epochs: 20, batch_size: 256, optimizer: {kind: adam, learning_rate: 0.001}}
        recording: {schedule: every_epoch, timing: after, samples: {subset: 64}}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let made = try TestSupport.run(cli, ["train", config, "--results", directory.path, "--quiet"])
        #expect(made.status == 0, "\(made.stderr)")
        let path = directory.appendingPathComponent("inspect/run-3.h5").path
        let text = try TestSupport.run(cli, ["inspect", path])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("complete: 20 of 20 epochs"))
        #expect(text.stdout.contains("20 epochs (after updates)"))
        #expect(text.stdout.contains("hidden3     dense      tanh      [L, 64, 5]"))
        #expect(text.stdout.contains("layers       (dense products: fused arithmetic)"), "\(text.stdout)")
        let json = try TestSupport.run(cli, ["inspect", path, "--json"])
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["logged_epoch_count"] as? Int == 20)
        #expect(object["logged_epochs"] as? [Int] == Array(0..<20))  // the whole list, not a preview
        #expect(object["samples"] as? Int == 64)
        #expect((object["layers"] as? [[String: Any]])?.count == 6)
        #expect(object["format_version"] as? Int == 2)
    }

    @Test func badFilesExitWithTwo() throws {
        let missing = try TestSupport.run(cli, ["inspect", "/nonexistent/run.h5"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/run.h5"))
        let notRun = try TestSupport.run(cli, ["inspect", TestSupport.dataFile("var_u.mat")])
        #expect(notRun.status == 2)
        #expect(notRun.stderr.contains("not an HDF5 file"))
    }
}

@Suite("infoplane export")
struct ExportTests {
    @Test func csvAndNpyMatchTheRunFile() throws {
        let cli = TestSupport.product("infoplane")
        let directory = TestSupport.temporaryDirectory("export")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("e.yaml").path
        try """
        name: e
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
        model: {widths: [5, 3]}
        training: {epochs: 6, batch_size: 512, optimizer: {kind: adam, learning_rate: 0.001}}
        recording: {schedule: every_epoch, samples: {subset: 50}}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try TestSupport.run(cli, ["train", config, "--results", directory.path, "--quiet"]).status == 0)
        let run = directory.appendingPathComponent("e/run-1.h5").path
        let npy = directory.appendingPathComponent("h.npy").path, csv = directory.appendingPathComponent("h.csv").path
        #expect(try TestSupport.run(cli, ["export", run, "--layer", "hidden1", "--epoch", "3", "--output", npy]).status == 0)
        #expect(try TestSupport.run(cli, ["export", run, "--layer", "hidden1", "--epoch", "3", "--output", csv]).status == 0)
        let all = directory.appendingPathComponent("all.npy").path, nc = directory.appendingPathComponent("h.nc").path
        #expect(try TestSupport.run(cli, ["export", run, "--layer", "hidden1", "--epoch", "all", "--output", all]).status == 0)
        #expect(try TestSupport.run(cli, ["export", run, "--layer", "hidden1", "--epoch", "3", "--output", nc]).status == 0)
        // One epoch or all: the same axes (epochs, samples, units), so code written for one reads all.
        let check = try TestSupport.runPython("""
        import sys, h5py, numpy as np
        a = np.load(sys.argv[2])
        f = h5py.File(sys.argv[1], "r")
        b = f["layers/0_hidden1/activations"][3]
        assert a.shape == (1, 50, 5) and a.dtype == np.float32 and np.array_equal(a[0], b), a.shape
        every = np.load(sys.argv[4])
        assert every.shape == (6, 50, 5) and np.array_equal(every[3], a[0]), every.shape
        c = np.loadtxt(sys.argv[3], delimiter=",", skiprows=1, dtype=np.float32)
        assert open(sys.argv[3]).readline().startswith("epoch,sample,label,split,unit0,")
        assert np.all(c[:, 0] == 3) and np.array_equal(c[:, 4:], b)
        assert np.array_equal(c[:, 1], f["dataset/index"][:]) and np.array_equal(c[:, 2], f["dataset/y"][:])
        with h5py.File(sys.argv[5], "r") as g:
            assert g["activations"].shape == (1, 50, 5) and list(g["epoch"][:]) == [3]
        print("ok")
        """, [run, npy, csv, all, nc])
        #expect(check.status == 0, "\(check.stderr)")
        let fresh = directory.appendingPathComponent("fresh.csv").path
        let bad = try TestSupport.run(cli, ["export", run, "--layer", "nope", "--output", fresh])
        #expect(bad.status == 2 && bad.stderr.contains("hidden1"))
        // Outputs never destroy: an existing file needs --force, the input is never an output.
        let again = try TestSupport.run(cli, ["export", run, "--layer", "hidden1", "-o", csv])
        #expect(again.status == 2 && again.stderr.contains("--force"), "\(again.stderr)")
        let forced = try TestSupport.run(cli, ["export", run, "--layer", "hidden1", "-o", csv, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: run))
        let onto = try TestSupport.run(cli, ["export", run, "--layer", "hidden1", "-o", run, "--force"])
        #expect(onto.status == 2 && onto.stderr.contains("input"), "\(onto.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: run)) == before)
    }
}
