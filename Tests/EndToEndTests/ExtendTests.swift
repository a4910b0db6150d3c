import Foundation
import Recording
import Testing
import TestSupport

/// `--extend-to N`: a complete run trained on to N epochs equals a run of N epochs from the
/// start, bit for bit, when its schedule does not depend on the run's length; otherwise
/// the difference is named. `--resume` accepts no other change.
@Suite("extending runs", .serialized)
struct ExtendTests {
    let cli = TestSupport.product("infoplane")

    func config(_ directory: URL, schedule: String) throws -> String {
        let path = directory.appendingPathComponent("e.yaml").path
        try """
        name: e
        seed: 3
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
        model: {widths: [10, 7, 5, 4, 3]}
        training: {epochs: 30, batch_size: 256, optimizer: {kind: adam, learning_rate: 0.001}}
        recording: {schedule: \(schedule), checkpoint_interval: 7}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Every dataset of two run files equal (NaN equal to NaN), and every root attribute
    /// but the times of creation and extension.
    static let compare = """
    import sys, h5py, numpy as np
    a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
    names = []
    a.visit(names.append)
    other = []
    b.visit(other.append)
    assert sorted(names) == sorted(other), set(names) ^ set(other)
    count = 0
    for name in names:
        if isinstance(a[name], h5py.Dataset):
            x, y = a[name][()], b[name][()]
            assert x.dtype == y.dtype and x.shape == y.shape, name
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name
            count += 1
    skip = {"created", "extended", "extended_from_epochs"}
    for key in set(a.attrs) | set(b.attrs):
        if key in skip: continue
        assert str(a.attrs[key]) == str(b.attrs[key]), key
    print(count)
    """

    /// In either arithmetic (the run's stored configuration keeps its own).
    @Test(arguments: ["blas", "fused"])
    func anExtendedRunEqualsARunOfThatLengthFromTheStart(arithmetic: String) throws {
        let directory = TestSupport.temporaryDirectory("extend-\(arithmetic)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try config(directory, schedule: "{every: 1}")
        let extended = directory.appendingPathComponent("extended"), fresh = directory.appendingPathComponent("fresh")
        let setting = ["--set", "model.arithmetic=\(arithmetic)"]
        #expect(try TestSupport.run(cli, ["train", config, "--results", extended.path, "-q"] + setting).status == 0)
        let extend = try TestSupport.run(cli, ["train", config, "--results", extended.path, "--extend-to", "60"] + setting)
        #expect(extend.status == 0, "\(extend.stderr)")
        #expect(extend.stderr.contains("extended from 30 to 60 epochs") && !extend.stderr.contains("differ"), "\(extend.stderr)")
        #expect(try TestSupport.run(cli, ["train", config, "--results", fresh.path, "--set", "training.epochs=60", "-q"] + setting).status == 0)
        let a = extended.appendingPathComponent("e/run-3.h5").path, b = fresh.appendingPathComponent("e/run-3.h5").path
        let same = try TestSupport.runPython(Self.compare, [a, b])
        #expect(same.status == 0, "\(same.stderr)")
        #expect((Int(same.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 30)
        let file = try RunFile.open(a)
        #expect(file.totalEpochs == 60 && file.status == .complete)
        #expect(!FileManager.default.fileExists(atPath: a + ".extending"))
    }

    @Test func aScheduleThatDependsOnTheLengthIsNamed() throws {
        let directory = TestSupport.temporaryDirectory("extend-every")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try config(directory, schedule: "{every: 10}")
        #expect(try TestSupport.run(cli, ["train", config, "--results", directory.path, "-q"]).status == 0)
        let extend = try TestSupport.run(cli, ["train", config, "--results", directory.path, "--extend-to", "50"])
        #expect(extend.status == 0, "\(extend.stderr)")
        // every: 10 logs the last epoch, 29 in the short run, 49 in the long one.
        #expect(extend.stderr.contains("also logs 29"), "\(extend.stderr)")
        let file = try RunFile.open(directory.appendingPathComponent("e/run-3.h5").path)
        #expect(file.loggedEpochs == [0, 10, 20, 29, 30, 40, 49])
    }

    @Test func resumeAcceptsNoOtherChange() throws {
        let directory = TestSupport.temporaryDirectory("resume-checks")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try config(directory, schedule: "{every: 10}")
        #expect(try TestSupport.run(cli, ["train", config, "--results", directory.path, "-q"]).status == 0)
        let path = directory.appendingPathComponent("e/run-3.h5").path
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let rate = try TestSupport.run(cli, ["train", config, "--results", directory.path, "--resume",
                                             "--set", "training.optimizer.learning_rate=0.01"])
        #expect(rate.status == 2 && rate.stderr.contains("training.optimizer.learning_rate"), "\(rate.stderr)")
        let longer = try TestSupport.run(cli, ["train", config, "--results", directory.path, "--resume", "--set", "training.epochs=40"])
        #expect(longer.status == 2 && longer.stderr.contains("--extend-to 40"), "\(longer.stderr)")
        // Another arithmetic is another run; `fused` written out is the default left out.
        let blas = try TestSupport.run(cli, ["train", config, "--results", directory.path, "--resume", "--set", "model.arithmetic=blas"])
        #expect(blas.status == 2 && blas.stderr.contains("model.arithmetic") && blas.stderr.contains("trained with `model.arithmetic: fused`"),
                "\(blas.stderr)")
        let fused = try TestSupport.run(cli, ["train", config, "--results", directory.path, "--extend-to", "30", "--set", "model.arithmetic=fused"])
        #expect(fused.status == 0 && fused.stdout.contains("skipped"), "\(fused.stderr)")
        let shorter = try TestSupport.run(cli, ["train", config, "--results", directory.path, "--resume", "--set", "training.epochs=20"])
        #expect(shorter.status == 2 && shorter.stderr.contains("never shortened"), "\(shorter.stderr)")
        let same = try TestSupport.run(cli, ["train", config, "--results", directory.path, "--extend-to", "30"])
        #expect(same.status == 0 && same.stdout.contains("skipped"), "\(same.stderr)")
        let notLonger = try TestSupport.run(cli, ["train", config, "--results", directory.path, "--extend-to", "20"])
        #expect(notLonger.status == 2 && notLonger.stderr.contains("never shortened"), "\(notLonger.stderr)")
        #expect(try TestSupport.run(cli, ["train", config, "--results", directory.path, "--extend-to", "40", "--force"]).status == 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }

    @Test func aRunWithoutATestSplitSaysSo() throws {
        let directory = TestSupport.temporaryDirectory("no-test-split")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = try config(directory, schedule: "{every: 10}")
        let result = try TestSupport.run(cli, ["train", config, "--results", directory.path, "--set", "data.train_fraction=1.0",
                                               "--set", "training.epochs=2"])
        #expect(result.status == 0 && result.stdout.contains("no test split") && !result.stdout.contains("nan"), "\(result.stdout)")
    }
}
