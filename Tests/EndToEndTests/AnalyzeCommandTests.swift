import Foundation
import HDF5
@testable import Information
import Recording
import Testing
import TestSupport
import RealModule

/// `infoplane analyze` end to end: its numbers are the estimators' on the run files.
@Suite("infoplane analyze", .serialized)
struct AnalyzeCommandTests {
    let cli = TestSupport.product("infoplane")

    @Test func analysesRunsIntoAnalysisFiles() throws {
        let directory = TestSupport.temporaryDirectory("analyze")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("a.yaml").path
        try """
        name: a
        seed: 1
        repeats: 2
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
        model: {widths: [10, 7, 5, 4, 3]}
        training: {epochs: 30, batch_size: 256, optimizer: {kind: adam, learning_rate: 0.001}}
        recording: {schedule: {every: 10}, samples: all}
        analysis:
          estimators:
            - {kind: binning, bins: 30, range: [-1, 1]}
            - {kind: binning, width: 0.5, range: global}
            - {kind: kde, noise_variance: 0.1, bound: upper}
            - {kind: adaptive, bins: 20}
            - {kind: knn, k: 3}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let results = directory.appendingPathComponent("results")
        let trained = try TestSupport.run(cli, ["train", config, "--results", results.path, "--quiet"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let analyzed = try TestSupport.run(cli, ["analyze", results.appendingPathComponent("a").path, "--csv"])
        #expect(analyzed.status == 0, "\(analyzed.stderr)")
        #expect(analyzed.stdout.contains("2 run(s) × 4 epochs"))

        let file = try H5File.open(results.appendingPathComponent("a/analysis.h5").path)
        #expect(try file.stringAttribute("format") == "infoplane-analysis")
        #expect(try file.dataset("epoch").read(as: Int64.self) == [0, 10, 20, 29])
        let ixt = try file.dataset("estimators/binning_intervals30/ixt")
        #expect(try ixt.shape() == [2, 4, 6])
        let values = try ixt.read(as: Double.self)
        #expect(values.allSatisfy { $0 >= 0 && $0 <= 12 + 1e-9 })
        // The stored value equals the estimator applied to the run's activations directly.
        let run = try RunFile.open(results.appendingPathComponent("a/run-2.h5").path)
        let t = try run.activations(layer: 3, loggedIndex: 2)
        let direct = BinnedEstimator(.intervals(30)).estimate(t, labels: try run.labels())
        #expect(values[(1 * 4 + 2) * 6 + 3].isApproximatelyEqual(to: direct.ixt, absoluteTolerance: 1e-12))
        let kde = try file.dataset("estimators/kde_0.1_upper/ity_mean").read(as: Double.self)
        #expect(kde.count == 24 && kde.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(file.isDataset("estimators/binning_width0.5_global_range/ixt_peak_epoch"))
        let csv = try String(contentsOfFile: results.appendingPathComponent("a/analysis.csv").path, encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 1 + 5 * 2 * 4 * 6)
        #expect(analyzed.stdout.contains("binning_intervals30 none"))
        #expect(try file.dataset("estimators/binning_intervals30/dpi_ixt_violation").shape() == [2, 4, 5])
        #expect(try file.dataset("snr/transition_epoch").shape() == [2, 6])
        #expect(try file.dataset("snr/snr").shape() == [2, 4, 6])
        #expect(file.isDataset("estimators/adaptive20/ixt") && file.isDataset("estimators/knn3/ity"))

        let missing = try TestSupport.run(cli, ["analyze", directory.appendingPathComponent("nothing").path])
        #expect(missing.status == 2)

        // k-NN on float16 storage measures the rounding: refused, naming the way out.
        let rounded = try TestSupport.run(cli, ["train", config, "--set", "recording.storage=float16", "--set", "repeats=1", "--set", "name=h",
                                                "--set", "analysis.estimators=[{kind: binning, bins: 30}]",
                                                "--set", "training.epochs=2", "--results", results.path, "--quiet"])
        #expect(rounded.status == 0, "\(rounded.stderr)")
        let refused = try TestSupport.run(cli, ["analyze", results.appendingPathComponent("h").path, "--estimator", "knn:k=3"])
        #expect(refused.status == 2 && refused.stderr.contains("float16") && refused.stderr.contains("--accept-float16-knn"), "\(refused.stderr)")
        let ksg = try TestSupport.run(cli, ["analyze", results.appendingPathComponent("h").path, "--estimator", "ksg:k=5", "--estimator", "renyi:alpha=2"])
        #expect(ksg.status == 2 && ksg.stderr.contains("(ksg5)"), "\(ksg.stderr)")
        let binned = try TestSupport.run(cli, ["analyze", results.appendingPathComponent("h").path, "--estimator", "binning:bins=30", "-q"])
        #expect(binned.status == 0, "\(binned.stderr)")
        let accepted = try TestSupport.run(cli, ["analyze", results.appendingPathComponent("h").path, "--estimator", "knn:k=3", "--accept-float16-knn", "-q"])
        #expect(accepted.status == 0, "\(accepted.stderr)")
    }
}

@Suite("infoplane run")
struct RunCommandEndToEndTests {
    @Test func trainsThenAnalyses() throws {
        let directory = TestSupport.temporaryDirectory("run")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("r.yaml").path
        try """
        name: r
        repeats: 2
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
        model: {widths: [6, 3]}
        training: {epochs: 12, batch_size: 512, optimizer: {kind: adam, learning_rate: 0.001}}
        recording: {schedule: {every: 4}}
        analysis: {estimators: [{kind: binning, edges: 30}]}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let results = directory.appendingPathComponent("results")
        let plots = directory.appendingPathComponent("plots")
        let run = try TestSupport.run(TestSupport.product("infoplane"), ["run", config, "--results", results.path, "--plots", plots.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("trained") && run.stdout.contains("analyzed"))
        let file = try H5File.open(results.appendingPathComponent("r/analysis.h5").path)
        #expect(try file.dataset("estimators/binning_edges30/ixt").shape() == [2, 4, 3])
        #expect(FileManager.default.fileExists(atPath: results.appendingPathComponent("r/analysis.csv").path))
        for figure in ["information_plane", "information_vs_epoch", "training_curves", "gradient_snr"] {
            #expect(FileManager.default.fileExists(atPath: plots.appendingPathComponent("r/\(figure).svg").path), "\(figure)")
        }
        #expect(run.stdout.contains("plotted"))
        // Each title promises what its figure draws: bars on the plane, bands over epochs.
        let overEpochs = try String(contentsOf: plots.appendingPathComponent("r/information_vs_epoch.svg"), encoding: .utf8)
        #expect(!overEpochs.contains("bars:") && overEpochs.contains("band: ±1 s.d. over runs"))
        let plane = try String(contentsOf: plots.appendingPathComponent("r/information_plane.svg"), encoding: .utf8)
        #expect(plane.contains("bars: ±1 s.d. at the last epoch"))
    }
}
