import Foundation
import Testing
import TestSupport

/// Binning ranges that fit the layer: a fixed range that leaves out more than 1% of a
/// layer's values is warned about, naming the layer and its share (recomputed here with
/// h5py from the stored activations); `range: auto` bins each layer between its own
/// extremes over the run, checked against numpy.
@Suite("Binning ranges")
struct BinningRangeTests {
    let cli = TestSupport.product("infoplane")

    @Test func clippingIsWarnedAndAutoFitsEachLayer() throws {
        let directory = TestSupport.temporaryDirectory("ranges")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("relu.yaml").path
        try """
        name: relu
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
        model: {widths: [10, 6], activation: relu}
        training: {epochs: 40, batch_size: 256, optimizer: {kind: adam, learning_rate: 0.01}}
        recording: {schedule: {every: 10}, storage: float32}
        analysis:
          estimators: [{kind: binning, bins: 30, range: [-1, 1]}]
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let results = directory.appendingPathComponent("results").path
        let train = try TestSupport.run(cli, ["train", config, "--results", results, "--quiet"])
        #expect(train.status == 0, "\(train.stderr)")
        let folder = results + "/relu"
        let analyze = try TestSupport.run(cli, ["analyze", folder])
        #expect(analyze.status == 0, "\(analyze.stderr)")
        let warning = try #require(analyze.stderr.split(separator: "\n").first { $0.contains("binning_intervals30: the range [-1, 1] leaves out more than 1% of the values of ") },
                                   "\(analyze.stderr)")
        // The shares the warning names, recomputed from the stored activations.
        let shares = try TestSupport.runPython("""
        import sys, h5py, numpy as np
        f = h5py.File(sys.argv[1], "r")
        names = sorted(f["layers"].keys(), key=lambda k: int(k.split("_")[0]))
        out = []
        for k, name in enumerate(names):
            a = f["layers"][name]["activations"][:].astype(np.float64)
            if k == len(names) - 1:
                a = np.exp(a - a.max(axis=-1, keepdims=True)); a /= a.sum(axis=-1, keepdims=True)
            share = np.mean((a < -1) | (a > 1))
            if share > 0.01:
                out.append("%s %s" % (name.split("_", 1)[1], ("%d%%" % round(share * 100)) if share >= 0.1 else ("%.1f%%" % (share * 100))))
        print(", ".join(out))
        """, [folder + "/run-1.h5"])
        #expect(shares.status == 0, "\(shares.stderr)")
        let expected = shares.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!expected.isEmpty && warning.contains("of \(expected) (largest share"), "\(warning) vs \(expected)")
        // range: auto, then numpy's binning of one layer at one epoch between that layer's extremes over all epochs.
        let auto = try TestSupport.run(cli, ["analyze", folder, "--estimator", "binning:bins=30,range=auto", "--csv"])
        #expect(auto.status == 0 && !auto.stderr.contains("leaves out"), "\(auto.stderr)")
        // The peaks stay those of the configured estimator, named, not of the one just added.
        #expect(auto.stdout.contains("computed binning_intervals30_auto_range") && auto.stdout.contains("epochs (median over runs, peaks by binning_intervals30): "),
                "\(auto.stdout)")
        let json = try TestSupport.run(cli, ["analyze", folder, "--estimator", "binning:bins=30,range=auto", "--json"])
        #expect(json.status == 0 && json.stdout.contains("\"main_estimator\" : \"binning_intervals30\""), "\(json.stdout)")
        let check = try TestSupport.runPython("""
        import sys, csv, h5py, numpy as np
        f = h5py.File(sys.argv[1] + "/run-1.h5", "r")
        a = f["layers/1_hidden2/activations"][:].astype(np.float64)
        lo, hi = a.min(), a.max()
        t = a[2]
        idx = np.floor(np.clip((t - lo) * (30 / (hi - lo)), 0, 29)).astype(np.int64)
        _, inverse, counts = np.unique(idx, axis=0, return_inverse=True, return_counts=True)
        p = counts / counts.sum(); h = -(p * np.log2(p)).sum()
        rows = [r for r in csv.DictReader(open(sys.argv[1] + "/analysis.csv"))
                if r["estimator"] == "binning_intervals30_auto_range" and r["layer"] == "hidden2" and r["epoch"] == "20"]
        assert len(rows) == 1, rows
        assert abs(float(rows[0]["ixt_bits"]) - h) < 1e-9, (rows[0]["ixt_bits"], h)
        """, [folder])
        #expect(check.status == 0, "\(check.stderr)")
    }
}
