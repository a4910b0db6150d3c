import Analysis
import Configuration
import Experiments
import Foundation
import HDF5
@testable import Information
import Recording
import TestSupport
import Testing
import RealModule

/// Analyses as named, cumulative artifacts: estimators added later are added, not
/// recomputed; other runs are refused; the file names its runs with digests; xarray
/// reads named dimensions.
@Suite("cumulative analyses", .serialized)
struct CumulativeAnalysisTests {
    let cli = TestSupport.product("infoplane")

    /// Two runs of a small experiment, trained once for the suite's tests that share it.
    func trained(_ label: String, analysis: String = "analysis: {estimators: [{kind: binning, bins: 30}]}") throws -> (URL, URL) {
        let directory = TestSupport.temporaryDirectory(label)
        let config = directory.appendingPathComponent("c.yaml").path
        try """
        name: c
        seed: 1
        repeats: 2
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
        model: {widths: [10, 7, 5, 4, 3]}
        training: {epochs: 30, batch_size: 256, optimizer: {kind: adam, learning_rate: 0.001}}
        recording: {schedule: {every: 10}}
        \(analysis)
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let results = directory.appendingPathComponent("results")
        let trained = try TestSupport.run(cli, ["train", config, "--results", results.path, "--quiet"])
        #expect(trained.status == 0, "\(trained.stderr)")
        return (directory, results.appendingPathComponent("c"))
    }

    @Test func addsEstimatorsAndKeepsTheOnesComputed() throws {
        let (directory, folder) = try trained("cumulative")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = folder.appendingPathComponent("analysis.h5").path
        let first = try TestSupport.run(cli, ["analyze", folder.path])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("computed binning_intervals30"))
        func group(_ label: String) throws -> (values: [Double], computed: String) {
            let file = try H5File.open(path)
            return (try file.dataset("estimators/\(label)/ixt").read(as: Double.self),
                    try file.group("estimators/\(label)").stringAttribute("computed"))
        }
        let before = try group("binning_intervals30")
        Thread.sleep(forTimeInterval: 1.1)  // a recomputation would carry a later time stamp

        let second = try TestSupport.run(cli, ["analyze", folder.path, "--estimator", "binning:bins=10", "--csv"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("computed binning_intervals10"))
        #expect(second.stdout.contains("kept binning_intervals30 (already computed for these runs)"))
        let after = try group("binning_intervals30")
        #expect(after.values == before.values && after.computed == before.computed)
        // The new group holds the estimator applied to the run's activations directly.
        let added = try group("binning_intervals10").values
        let run = try RunFile.open(folder.appendingPathComponent("run-2.h5").path)
        let direct = BinnedEstimator(.intervals(10)).estimate(try run.activations(layer: 3, loggedIndex: 2), labels: try run.labels())
        #expect(added[(1 * 4 + 2) * 6 + 3].isApproximatelyEqual(to: direct.ixt, absoluteTolerance: 1e-12))
        let csv = try String(contentsOfFile: folder.appendingPathComponent("analysis.csv").path, encoding: .utf8)
        let rows = csv.split(separator: "\n")
        #expect(rows.first == "experiment,variant,estimator,seed,run,epoch,layer_index,layer,ixt_bits,ity_bits")
        #expect(rows.count == 1 + 2 * 2 * 4 * 6)
        #expect(rows.contains { $0.hasPrefix("c,,binning_intervals10,2,run-2.h5,20,3,hidden4,") })

        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let third = try TestSupport.run(cli, ["analyze", folder.path, "--set", "analysis.estimators=[{kind: binning, bins: 10}]"])
        #expect(third.status == 0 && third.stdout.contains("nothing to compute"), "\(third.stdout)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)

        // The file names its runs: relative paths, seeds, SHA-256 digests as sha256sum prints them.
        let contents = try AnalysisFile.read(path)
        #expect(contents.formatVersion == 2)
        #expect(contents.analysedRuns.map(\.path) == ["run-1.h5", "run-2.h5"])
        #expect(contents.analysedRuns.map(\.seed) == [1, 2])
        let sum = try TestSupport.run("/usr/bin/sha256sum", [folder.appendingPathComponent("run-1.h5").path])
        #expect(contents.analysedRuns[0].digest == "sha256:" + (sum.stdout.split(separator: " ").first.map(String.init) ?? ""))
    }

    @Test func refusesAnotherSetOfRunsOrChangedRuns() throws {
        let (directory, folder) = try trained("other-runs")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = folder.appendingPathComponent("analysis.h5").path
        #expect(try TestSupport.run(cli, ["analyze", folder.path, "-q"]).status == 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))

        let one = try TestSupport.run(cli, ["analyze", folder.appendingPathComponent("run-1.h5").path])
        #expect(one.status == 2)
        #expect(one.stderr.contains("holds the analysis of 2 runs, these are 1 (not given now: run-2.h5)"), "\(one.stderr)")
        #expect(one.stderr.split(separator: "\n").count == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)

        let elsewhere = directory.appendingPathComponent("one.h5").path
        let other = try TestSupport.run(cli, ["analyze", folder.appendingPathComponent("run-1.h5").path, "-o", elsewhere, "-q"])
        #expect(other.status == 0, "\(other.stderr)")
        #expect(try AnalysisFile.read(elsewhere).analysedRuns.map(\.path) == ["c/run-1.h5"].map { "results/" + $0 })

        // Never onto a run file, even with --force.
        let run2 = folder.appendingPathComponent("run-2.h5").path
        let runBytes = try Data(contentsOf: URL(fileURLWithPath: run2))
        let onto = try TestSupport.run(cli, ["analyze", folder.appendingPathComponent("run-1.h5").path, "-o", run2, "--force"])
        #expect(onto.status == 2 && onto.stderr.contains("not an infoplane analysis file"), "\(onto.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: run2)) == runBytes)

        // A run that changed since (here: an attribute) is named; --force replaces.
        try H5File.open(run2, mode: .readWrite).setAttribute("note", "edited")
        let changed = try TestSupport.run(cli, ["analyze", folder.path])
        #expect(changed.status == 2 && changed.stderr.contains("changed since (digest differs): run-2.h5"), "\(changed.stderr)")
        let forced = try TestSupport.run(cli, ["analyze", folder.path, "--force"])
        #expect(forced.status == 0 && forced.stderr.contains("replaced"), "\(forced.stderr)")

        // A second writer of the same analysis file is refused, naming the holder.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["-n", path + ".lock", "-c", "echo $$ > \(path).lock.pid; sleep 4"]
        try holder.run()
        Thread.sleep(forTimeInterval: 0.5)
        let blocked = try TestSupport.run(cli, ["analyze", folder.path, "--estimator", "binning:bins=5"])
        holder.waitUntilExit()
        #expect(blocked.status == 2 && blocked.stderr.contains("another infoplane"), "\(blocked.stderr)")
    }

    @Test func runsOfAnotherExperimentAreNotMixed() throws {
        let (directory, folder) = try trained("mixed")
        defer { try? FileManager.default.removeItem(at: directory) }
        let stranger = folder.appendingPathComponent("run-9.h5").path
        try FileManager.default.copyItem(atPath: folder.appendingPathComponent("run-1.h5").path, toPath: stranger)
        try H5File.open(stranger, mode: .readWrite).setAttribute("experiment", "other")
        let mixed = try TestSupport.run(cli, ["analyze", folder.path])
        #expect(mixed.status == 2 && mixed.stderr.contains("belongs to experiment \"other\""), "\(mixed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("analysis.h5").path))
    }

    @Test func xarrayReadsNamedDimensionsAndCoordinates() throws {
        let (directory, folder) = try trained("xarray")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try TestSupport.run(cli, ["analyze", folder.path, "-q"]).status == 0)
        let script = """
        import sys, xarray as xr
        path = sys.argv[1]
        ds = xr.open_dataset(path, group="estimators/binning_intervals30", engine="h5netcdf")
        assert dict(ds["ixt"].sizes) == {"seed": 2, "epoch": 4, "layer": 6}, ds["ixt"].sizes
        assert list(ds["seed"].values) == [1, 2]
        assert list(ds["epoch"].values) == [0, 10, 20, 29], ds["epoch"].values
        assert list(ds["layer"].values) == ["hidden1", "hidden2", "hidden3", "hidden4", "hidden5", "output"]
        assert ds["ixt"].attrs["units"] == "bit"
        assert ds["ixt_mean"].dims == ("epoch", "layer")
        assert ds["dpi_ixt_violation"].dims == ("seed", "epoch", "layer_pair")
        v = float(ds["ixt"].sel(seed=2, epoch=20, layer="hidden4"))
        root = xr.open_dataset(path, engine="h5netcdf")
        assert list(root["run_path"].values) == ["run-1.h5", "run-2.h5"]
        snr = xr.open_dataset(path, group="snr", engine="h5netcdf")
        assert snr["snr"].dims == ("seed", "snr_epoch", "layer")
        tree = xr.open_datatree(path, engine="h5netcdf")
        assert "binning_intervals30" in tree["estimators"].children
        print(repr(v))
        """
        let result = try TestSupport.runPython(script, [folder.appendingPathComponent("analysis.h5").path])
        #expect(result.status == 0, "\(result.stderr)")
        let stored = try AnalysisFile.read(folder.appendingPathComponent("analysis.h5").path).ixtRuns["binning_intervals30"]?[1][2][3]
        #expect(Double(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) == stored)
    }

    @Test func readsVersionOneFiles() throws {
        let fixture = TestSupport.root.appendingPathComponent("Tests/EndToEndTests/Fixtures/analysis-v1.h5").path
        let contents = try AnalysisFile.read(fixture)
        #expect(contents.formatVersion == 1)
        #expect(contents.labels == ["binning_intervals30", "kde_0.1_lower", "kde_0.1_upper"])
        #expect(contents.epochs.count == 20 && contents.layers.count == 6)
        #expect(contents.analysedRuns.map(\.path) == ["results/quick/run-1.h5", "results/quick/run-2.h5"])
        #expect(contents.ixtMean["binning_intervals30"]?.last == [12.0, 11.999755859375, 11.811159534834124, 9.947619407136909, 7.568485935865641, 2.7788840116174747])
        let inspected = try TestSupport.run(cli, ["inspect", fixture])
        #expect(inspected.status == 0 && inspected.stdout.contains("(analysis format 1)"), "\(inspected.stderr)")
    }

    @Test func aRunWithoutEstimatorsStillGetsItsTrainingFigures() throws {
        let directory = TestSupport.temporaryDirectory("no-estimators")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("n.yaml").path
        try """
        name: n
        repeats: 2
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
        model: {widths: [6, 3]}
        training: {epochs: 12, batch_size: 512, optimizer: {kind: adam, learning_rate: 0.001}}
        recording: {schedule: {every: 4}}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let results = directory.appendingPathComponent("results"), plots = directory.appendingPathComponent("plots")
        let run = try TestSupport.run(cli, ["run", config, "--results", results.path, "--plots", plots.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("information-plane figures skipped"), "\(run.stderr)")
        #expect(run.stdout.contains("gradient SNR only") && run.stdout.contains("SNR drop at") && !run.stdout.contains("I(X;T) peak"), "\(run.stdout)")
        for figure in ["training_curves", "gradient_snr"] {
            #expect(FileManager.default.fileExists(atPath: plots.appendingPathComponent("n/\(figure).svg").path), "\(figure)")
        }
        // Estimators added afterwards give the information plane without retraining.
        let added = try TestSupport.run(cli, ["analyze", results.appendingPathComponent("n").path, "--estimator", "binning:bins=30"])
        #expect(added.status == 0 && added.stdout.contains("computed binning_intervals30"), "\(added.stderr)")
        let plotted = try TestSupport.run(cli, ["plot", results.appendingPathComponent("n").path, "--results", results.path, "--plots", plots.path])
        #expect(plotted.status == 0 && FileManager.default.fileExists(atPath: plots.appendingPathComponent("n/information_plane.svg").path))
        // The estimator comparison names its panels in words, in a reader's order (binning
        // coarse to fine, then KDE upper before lower), whatever order they were added in.
        let more = try TestSupport.run(cli, ["analyze", results.appendingPathComponent("n").path, "--estimator", "kde:noise_variance=0.1",
                                             "--estimator", "binning:bins=10"])
        #expect(more.status == 0, "\(more.stderr)")
        let compared = try TestSupport.run(cli, ["plot", results.appendingPathComponent("n").path, "--results", results.path,
                                                 "--plots", plots.path, "--only", "estimator_comparison"])
        #expect(compared.status == 0, "\(compared.stderr)")
        let svg = try String(contentsOf: plots.appendingPathComponent("n/estimator_comparison.svg"), encoding: .utf8)
        let titles = ["Binning, 10 bins on [−1, 1]", "Binning, 30 bins on [−1, 1]", "KDE upper bound, σ² = 0.1", "KDE lower bound, σ² = 0.1"]
        let positions = titles.compactMap { svg.range(of: $0)?.lowerBound }
        #expect(positions.count == 4 && positions == positions.sorted(), "\(titles.filter { svg.range(of: $0) == nil })")
        #expect(!svg.contains(">binning_intervals30<"))
        // The curves of the folder's runs are their mean with a ±1 s.d. band, said in the title.
        let curves = try String(contentsOf: plots.appendingPathComponent("n/training_curves.svg"), encoding: .utf8)
        #expect(curves.contains("mean ± 1 s.d. of 2 runs") && curves.contains("class=\"band\""), "\(curves.prefix(400))")
    }

    @Test func estimatorsFromTheCommandLine() throws {
        let parsed = try AnalysisConfig.estimators(sets: ["analysis.estimators=[{kind: kde, noise_variance: 0.01, bound: upper}]"],
                                                   short: ["binning:width=0.5,range=[-1,1]", "binning:bins=10", "knn", "binning:edges=50,range=layer", "ksg:k=5", "renyi:alpha=2,samples=500"])
        #expect(parsed == [.kde(variance: 0.01, upper: true, lower: false), .binning(.width(0.5), .fixed(-1, 1)),
                           .binning(.intervals(10), .fixed(-1, 1)), .knn(k: 3), .binning(.edges(50), .layer), .ksg(k: 5), .renyi(alpha: 2, gamma: 1, samples: 500)])
        #expect(throws: ConfigError.self) { try AnalysisConfig.estimators(sets: [], short: ["renyi:alpha=1"]) }
        #expect(try AnalysisConfig.estimators(sets: [], short: []) == nil)
        #expect(throws: ConfigError.self) { try AnalysisConfig.estimators(sets: [], short: ["binning:k=3"]) }
        #expect(throws: ConfigError.self) { try AnalysisConfig.estimators(sets: ["training.epochs=3"], short: []) }
        #expect(throws: ConfigError.self) { try AnalysisConfig.estimators(sets: [], short: ["magic:bins=3"]) }
        let bad = try TestSupport.run(cli, ["analyze", "/nonexistent", "--estimator", "binning:bins=0"])
        #expect(bad.status == 2 && bad.stderr.contains("--estimator binning:bins=0"), "\(bad.stderr)")
    }
}

/// A sweep over a list-valued key: safe folder names, the variant stored in the run file
/// and the analysis, one figure folder per variant titled with it, whatever `--plots` says.
@Suite("list-valued sweeps")
struct ListSweepTests {
    @Test func eachVariantHasItsFoldersAndTitles() throws {
        let cli = TestSupport.product("infoplane")
        let directory = TestSupport.temporaryDirectory("list-sweep")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("s.yaml").path
        try """
        name: s
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
        model: {widths: [8, 6, 4]}
        training: {epochs: 6, batch_size: 512, optimizer: {kind: adam, learning_rate: 0.003}}
        recording: {schedule: {every: 3}}
        analysis: {estimators: [{kind: binning, bins: 30}], plots: [information_plane]}
        sweep:
          model.widths: [[8, 6, 4], [10, 10, 10]]
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let results = directory.appendingPathComponent("results"), plots = directory.appendingPathComponent("plots")
        let run = try TestSupport.run(cli, ["run", config, "--results", results.path, "--plots", plots.path, "-q"])
        #expect(run.status == 0, "\(run.stderr)")
        for (slug, variant) in [("widths=8-6-4", "widths=[8, 6, 4]"), ("widths=10-10-10", "widths=[10, 10, 10]")] {
            let folder = results.appendingPathComponent("s/\(slug)")
            let file = try RunFile.open(folder.appendingPathComponent("run-1.h5").path)
            #expect(file.sweep == "model.\(variant.replacingOccurrences(of: "=", with: ": "))\n")
            #expect(try AnalysisFile.read(folder.appendingPathComponent("analysis.h5").path).variant == variant)
            let svg = try String(contentsOfFile: plots.appendingPathComponent("s/\(slug)/information_plane.svg").path, encoding: .utf8)
            #expect(svg.contains("s (\(variant)): 1 run"), "\(slug)")
        }
        // plot with another root still writes one folder per variant.
        let other = directory.appendingPathComponent("figures")
        let plotted = try TestSupport.run(cli, ["plot", results.appendingPathComponent("s").path, "--plots", other.path, "--only", "information_plane", "-q"])
        #expect(plotted.status == 0, "\(plotted.stderr)")
        #expect(TestSupport.find("information_plane.svg", under: other).count == 2)
    }
}

/// `infoplane export table`: one row per (variant, seed, epoch, layer, estimator), the sweep
/// key a column, values equal to the analysis files', metrics joined; and per-run exports.
@Suite("experiment-level exports")
struct ExportTableTests {
    @Test func tableMatchesTheAnalysesValueForValue() throws {
        let cli = TestSupport.product("infoplane")
        let directory = TestSupport.temporaryDirectory("export-table")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("t.yaml").path
        try """
        name: t
        repeats: 2
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
        model: {widths: [6, 4]}
        training: {epochs: 6, batch_size: 512, optimizer: {kind: adam, learning_rate: 0.003}}
        recording: {schedule: {every: 3}}
        analysis: {estimators: [{kind: binning, bins: 30}, {kind: kde, noise_variance: 0.1, bound: upper}], plots: [training_curves]}
        sweep:
          training.optimizer.learning_rate: [0.003, 0.01]
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let results = directory.appendingPathComponent("results")
        let run = try TestSupport.run(cli, ["run", config, "--results", results.path, "--plots", directory.appendingPathComponent("plots").path, "-q"])
        #expect(run.status == 0, "\(run.stderr)")
        let csv = directory.appendingPathComponent("t.csv").path
        let exported = try TestSupport.run(cli, ["export", "table", results.path, "-o", csv])
        #expect(exported.status == 0, "\(exported.stderr)")
        // 2 variants × 2 seeds × 3 logged epochs × 3 layers × 2 estimators.
        let check = try TestSupport.runPython("""
        import sys, glob, numpy as np, pandas as pd, xarray as xr, h5py
        table = pd.read_csv(sys.argv[1])
        assert len(table) == 2 * 2 * 3 * 3 * 2, len(table)
        assert "training.optimizer.learning_rate" in table.columns
        assert sorted(table["training.optimizer.learning_rate"].unique()) == [0.003, 0.01]
        for path in glob.glob(sys.argv[2] + "/t/*/analysis.h5"):
            rate = float(h5py.File(path, "r").attrs["sweep"].split(":")[1])
            for label in ["binning_intervals30", "kde_0.1_upper"]:
                ds = xr.open_dataset(path, group="estimators/" + label, engine="h5netcdf")
                rows = table[(table["training.optimizer.learning_rate"] == rate) & (table.estimator == label)]
                for _, row in rows.iterrows():
                    stored = float(ds["ixt"].sel(seed=row.seed, epoch=row.epoch, layer=row.layer))
                    assert stored == row.ixt_bits, (path, label, row)
        run = h5py.File(sys.argv[2] + "/t/learning_rate=0.01/run-2.h5", "r")
        row = table[(table["training.optimizer.learning_rate"] == 0.01) & (table.seed == 2) & (table.epoch == 3)].iloc[0]
        assert row.train_loss == run["metrics/train_loss"][3], (row.train_loss, run["metrics/train_loss"][3])
        print("ok")
        """, [csv, results.path])
        #expect(check.status == 0, "\(check.stderr)")

        // Format from the extension; unknown ones refused; stdout is CSV.
        let bad = try TestSupport.run(cli, ["export", "table", results.path, "-o", directory.appendingPathComponent("t.xlsx").path])
        #expect(bad.status == 2 && bad.stderr.contains("unknown extension"), "\(bad.stderr)")
        let stdout = try TestSupport.run(cli, ["export", "metrics", results.appendingPathComponent("t/learning_rate=0.01/run-1.h5").path, "-o", "-"])
        #expect(stdout.status == 0 && stdout.stdout.hasPrefix("epoch,train_loss,train_accuracy,test_loss,test_accuracy\n0,"), "\(stdout.stderr)")
        #expect(stdout.stdout.split(separator: "\n").count == 1 + 7)
        let gradients = try TestSupport.run(cli, ["export", "gradients", results.appendingPathComponent("t/learning_rate=0.01/run-1.h5").path, "-o", "-", "-q"])
        #expect(gradients.status == 0 && gradients.stdout.hasPrefix("epoch,layer_index,layer,mean_norm,std_norm,snr,weight_norm\n"))
    }
}
