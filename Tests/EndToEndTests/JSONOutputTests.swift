import Foundation
import Testing
import TestSupport

/// `--json` on every command that reports results, and `-q`/`-v` where the output is the
/// result itself: standard output is one JSON document naming what was written (files
/// that exist), and nothing else.
@Suite("--json, --quiet and --verbose on every command")
struct JSONOutputTests {
    let cli = TestSupport.product("infoplane")

    func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    /// A tiny experiment trained, analysed and drawn by `run --json` in a fresh folder.
    func workspace() throws -> (URL, [String: Any]) {
        let directory = TestSupport.temporaryDirectory("json")
        try """
        name: j
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
        model: {widths: [5, 3]}
        training: {epochs: 6, batch_size: 512, optimizer: {kind: adam, learning_rate: 0.001}}
        recording: {schedule: every_epoch, samples: {subset: 60}}
        analysis: {estimators: [{kind: binning, bins: 10}]}
        """.write(to: directory.appendingPathComponent("j.yaml"), atomically: true, encoding: .utf8)
        let run = try TestSupport.run(cli, ["run", "j.yaml", "--json"], directory: directory)
        #expect(run.status == 0, "\(run.stderr)")
        return (directory, try #require(try json(run.stdout) as? [String: Any]))
    }

    @Test func trainRunPlotExportAndVisualizePrintWhatTheyWrote() throws {
        let (directory, run) = try workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path) }
        // run: the runs with their final metrics, the analysis, every figure written.
        let runs = try #require(run["runs"] as? [[String: Any]])
        #expect(runs.count == 1 && runs[0]["status"] as? String == "trained" && runs[0]["epochs"] as? Int == 6)
        #expect((runs[0]["train_accuracy"] as? Double).map { (0...1).contains($0) } == true)
        #expect(run["folders"] as? [String] == ["results/j"])
        let analyses = try #require(run["analyses"] as? [[String: Any]])
        #expect(analyses.first?["output"] as? String == "results/j/analysis.h5" && analyses.first?["main_estimator"] != nil)
        let figures = try #require((run["figures"] as? [[String: Any]])?.first?["files"] as? [String])
        #expect(figures.contains("plots/j/information_plane.svg") && figures.allSatisfy(exists), "\(figures)")

        // train: the same run record; a second train skips it, and says so in JSON.
        let again = try TestSupport.run(cli, ["train", "j.yaml", "--json"], directory: directory)
        #expect(again.status == 0, "\(again.stderr)")
        let skipped = try #require(try json(again.stdout) as? [String: Any])
        #expect((skipped["runs"] as? [[String: Any]])?.first?["status"] as? String == "skipped")

        // plot: per folder, the files and notes; nothing else on stdout.
        let plot = try TestSupport.run(cli, ["plot", "results/j", "--only", "training_curves", "--plots", "p2", "--json"], directory: directory)
        #expect(plot.status == 0, "\(plot.stderr)")
        let drawn = try #require(try json(plot.stdout) as? [[String: Any]])
        #expect(drawn.count == 1 && (drawn[0]["files"] as? [String])?.contains("p2/j/training_curves.svg") == true)

        // export: one epoch has the epoch axis too.
        let export = try TestSupport.run(cli, ["export", "results/j/run-1.h5", "--layer", "hidden1", "--epoch", "3", "-o", "h.npy", "--json"], directory: directory)
        #expect(export.status == 0, "\(export.stderr)")
        let exported = try #require(try json(export.stdout) as? [String: Any])
        #expect(exported["shape"] as? [Int] == [1, 60, 5] && exported["epochs"] as? [Int] == [3] && exists("h.npy"))
        let table = try TestSupport.run(cli, ["export", "table", "results/j", "-o", "t.csv", "--json"], directory: directory)
        let columns = try #require((try json(table.stdout) as? [String: Any])?["columns"] as? [String])
        #expect(columns.contains("ixt_bits"))
        let clash = try TestSupport.run(cli, ["export", "metrics", "results/j/run-1.h5", "-o", "-", "--json"], directory: directory)
        #expect(clash.status == 2 && clash.stdout.isEmpty && clash.stderr.contains("standard output"), "\(clash.stderr)")

        // visualize: the figure, the embedding file and the summary lines.
        let tsne = try TestSupport.run(cli, ["visualize", "tsne", "results/j/run-1.h5", "--layer", "hidden1", "--samples", "40", "--iterations", "50", "--json"], directory: directory)
        #expect(tsne.status == 0, "\(tsne.stderr)")
        let embedded = try #require(try json(tsne.stdout) as? [String: Any])
        let files = try #require(embedded["files"] as? [String])
        #expect(files.contains { $0.hasSuffix("tsne_hidden1.h5") } && files.allSatisfy(exists), "\(files)")
        #expect((embedded["notes"] as? [String])?.contains { $0.contains("trustworthiness") } == true)
    }

    @Test func recordPrintsTheRecordedRun() throws {
        let directory = TestSupport.temporaryDirectory("json-record")
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = TestSupport.root.appendingPathComponent("examples/byom/var_u_mlp.onnx").path
        let record = try TestSupport.run(cli, ["record", model, "--data", TestSupport.root.appendingPathComponent("examples/byom/var_u.npz").path,
                                               "--samples", "100", "--json"], directory: directory)
        #expect(record.status == 0, "\(record.stderr)")
        let recorded = try #require(try json(record.stdout) as? [String: Any])
        let run = try #require((recorded["runs"] as? [[String: Any]])?.first)
        #expect(run["path"] as? String == "results/var_u_mlp/run-1.h5" && run["epochs"] as? Int == 0)
        #expect(run["test_accuracy"] is Double && !record.stdout.contains("next:"))
    }

    @Test func inspectAndCompactQuietAndVerbose() throws {
        let (directory, _) = try workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        // inspect -q: nothing printed, the exit status says whether the files are readable.
        let good = try TestSupport.run(cli, ["inspect", "-q", "results/j"], directory: directory)
        #expect(good.status == 0 && good.stdout.isEmpty, "\(good.stderr)")
        let bad = try TestSupport.run(cli, ["inspect", "-q", "j.yaml"], directory: directory)
        #expect(bad.status == 2 && bad.stdout.isEmpty)
        let verbose = try TestSupport.run(cli, ["inspect", "-v", "results/j/run-1.h5"], directory: directory)
        #expect(verbose.status == 0 && verbose.stdout.contains("learning_rate"), "\(verbose.stdout)")
        // compact -q: no lines; -v: the time each file took.
        let quiet = try TestSupport.run(cli, ["compact", "-q", "results/j"], directory: directory)
        #expect(quiet.status == 0 && quiet.stdout.isEmpty, "\(quiet.stdout)\(quiet.stderr)")
        let run = directory.appendingPathComponent("results/j").path
        #expect(try TestSupport.run(cli, ["train", "j.yaml", "--force", "--set", "recording.compact=false", "-q"], directory: directory).status == 0)
        let timed = try TestSupport.run(cli, ["compact", "-v", run], directory: directory)
        #expect(timed.status == 0 && timed.stdout.contains(" s\n") && timed.stdout.contains("→"), "\(timed.stdout)\(timed.stderr)")
    }
}
