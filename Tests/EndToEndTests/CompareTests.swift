import Foundation
import Testing
import TestSupport
import RealModule

/// `compare` and `run` on a sweep: the figures, the table (checked against the run files
/// and analysis.csv read by h5py and the csv module), the page's data and script, and
/// the refusals.
@Suite("Comparing variants", .serialized)
struct CompareTests {
    let cli = TestSupport.product("infoplane")

    struct SweepFailed: Error, CustomStringConvertible { var description: String }

    /// One sweep of 2 variants × 2 repeats, trained once for every case of the suite.
    static let trained: Result<(directory: URL, results: String, plots: String), SweepFailed> = {
        let directory = TestSupport.temporaryDirectory("compare")
        let config = directory.appendingPathComponent("sw.yaml").path
        do {
            try """
            name: sw
            repeats: 2
            data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
            model: {widths: [8, 5]}
            training: {epochs: 30, batch_size: 256, optimizer: {kind: adam, learning_rate: 0.003}}
            recording: {schedule: {every: 3}}
            analysis:
              estimators: [{kind: binning, bins: 30, convention: intervals, range: [-1, 1]}, {kind: kde, noise_variance: 0.1, bound: upper}]
              plots: [information_plane]
            sweep:
              training.optimizer.learning_rate: [0.001, 0.01]
            """.write(toFile: config, atomically: true, encoding: .utf8)
            let results = directory.appendingPathComponent("results").path, plots = directory.appendingPathComponent("plots").path
            let run = try TestSupport.run(TestSupport.product("infoplane"), ["run", config, "--results", results, "--plots", plots])
            guard run.status == 0, run.stdout.contains("compared 2 variants  \(plots)/sw/compare/") else {
                return .failure(SweepFailed(description: "the sweep did not run as expected: \(run.stdout) \(run.stderr)"))
            }
            return .success((directory, results, plots))
        } catch {
            return .failure(SweepFailed(description: "\(error)"))
        }
    }()

    @Test func runDrawsTheSweepSideBySideAndTheTableIsTrue() throws {
        let sweep = try Self.trained.get()
        let folder = sweep.plots + "/sw/compare"
        for name in ["planes.svg", "layer_paths.svg", "training_curves.svg", "gradient_snr.svg", "compare.csv", "compare.html"] {
            #expect(FileManager.default.fileExists(atPath: folder + "/" + name), "\(name)")
        }
        // The final numbers, recomputed from the run files (h5py) and analysis.csv.
        let check = try TestSupport.runPython("""
        import sys, csv, glob, os, h5py, numpy as np
        folder, results = sys.argv[1], sys.argv[2]
        rows = list(csv.DictReader(open(os.path.join(folder, "compare.csv"))))
        assert [r["variant"] for r in rows] == ["learning_rate=0.001", "learning_rate=0.01"], [r["variant"] for r in rows]
        for r in rows:
            runs = sorted(glob.glob(os.path.join(results, "sw", r["variant"], "run-*.h5")))
            assert int(r["runs"]) == len(runs) == 2 and r["estimator"] == "binning_intervals30" and int(r["last_epoch"]) == 29, r
            finals = [h5py.File(p, "r")["metrics/test_accuracy"][-1] for p in runs]
            assert abs(float(r["test_accuracy"]) - np.mean(finals)) < 1e-12, (r["test_accuracy"], finals)
            assert abs(float(r["test_accuracy_sd"]) - np.std(finals, ddof=1)) < 1e-12
            table = [a for a in csv.DictReader(open(os.path.join(results, "sw", r["variant"], "analysis.csv")))
                     if a["estimator"] == "binning_intervals30" and a["epoch"] == "29"]
            for layer in ["hidden1", "hidden2", "output"]:
                values = [float(a["ixt_bits"]) for a in table if a["layer"] == layer]
                assert len(values) == 2 and abs(float(r["ixt_" + layer]) - np.mean(values)) < 1e-12, (layer, r["ixt_" + layer], values)
            assert r["analysis"].endswith(os.path.join(r["variant"], "analysis.h5"))
        """, [folder, sweep.results])
        #expect(check.status == 0, "\(check.stderr)")
        // Planes: one per variant, on axes the title states.
        let planes = try String(contentsOfFile: folder + "/planes.svg", encoding: .utf8)
        #expect(planes.components(separatedBy: "class=\"plane\"").count - 1 == 2)
        #expect(planes.contains("Binning, 30 bins on [−1, 1]; shared axes I(X;T) 0–12.2 bits, I(T;Y) 0–1.04 bits"), "\(planes.prefix(600))")
        // Layer paths: one panel per shared layer, a line per variant with its ends marked.
        let paths = try String(contentsOfFile: folder + "/layer_paths.svg", encoding: .utf8)
        #expect(paths.components(separatedBy: "class=\"start\"").count - 1 == 6 && paths.components(separatedBy: "class=\"end\"").count - 1 == 6)
        // Bands ±1 s.d. over the two runs of each variant, in each of the four panels.
        let curves = try String(contentsOfFile: folder + "/training_curves.svg", encoding: .utf8)
        #expect(curves.components(separatedBy: "class=\"band\"").count - 1 == 8)
    }

    @Test func pageHoldsEveryVariantOnSharedAxes() throws {
        let sweep = try Self.trained.get()
        let path = sweep.plots + "/sw/compare/compare.html"
        let html = try String(contentsOfFile: path, encoding: .utf8)
        for forbidden in ["src=\"http", "href=", "url(http", "<link", "import(", "fetch(", "XMLHttpRequest"] { #expect(!html.contains(forbidden), "\(forbidden)") }
        #expect(html.components(separatedBy: "src=\"").count - 1 == html.components(separatedBy: "src=\"data:image/svg+xml;base64,").count - 1)
        #expect(html.contains("<table id=\"final\">") && html.contains("<td>learning_rate=0.01</td>"))
    }

    /// The page's script under node: every variant drawn on the same axes, opening on its main estimator.
    @Test(.enabled(if: TestSupport.node != nil, "node is not installed"))
    func scriptDrawsEveryVariantOnTheSameAxes() throws {
        let sweep = try Self.trained.get()
        let path = sweep.plots + "/sw/compare/compare.html"
        let harness = sweep.directory.appendingPathComponent("compare-harness.js").path
        try #"""
        const fs = require("fs");
        const html = fs.readFileSync(process.argv[2], "utf8");
        const V = JSON.parse(html.match(/<script type="application\/json" id="variants">([\s\S]*?)<\/script>/)[1]);
        eval(html.match(/<script>\n([\s\S]*?)<\/script>/)[1] + "\nglobalThis.render = render;");
        const svg = V.map(D => render(D, { estimator: D.main, visible: D.layers.map(() => true), epoch: D.epochs.length - 1 }));
        console.log(JSON.stringify({ titles: V.map(D => D.title), axes: V.map(D => D.axes), main: V.map(D => D.estimators[D.main].label),
          points: svg.map(s => (s.match(/class="point"/g) || []).length), epochs: V.map(D => D.epochs.length),
          lastTick: svg.map(s => [...s.matchAll(/class="xtick"[^>]*>([^<]*)</g)].map(m => m[1]).pop()) }));
        """#.write(toFile: harness, atomically: true, encoding: .utf8)
        let node = try TestSupport.run(try #require(TestSupport.node), [harness, path])
        #expect(node.status == 0, "\(node.stderr)")
        let drawn = try #require(try JSONSerialization.jsonObject(with: Data(node.stdout.utf8)) as? [String: Any], "\(node.stdout)")
        #expect(drawn["titles"] as? [String] == ["learning_rate=0.001", "learning_rate=0.01"])
        #expect(drawn["main"] as? [String] == ["binning_intervals30", "binning_intervals30"])
        let axes = try #require(drawn["axes"] as? [[String: [String: Any]]])
        let ends = axes.map { [$0["ixt"]?["low"] as? Double, $0["ixt"]?["high"] as? Double, $0["ity"]?["high"] as? Double] }
        #expect(axes.count == 2 && axes.allSatisfy { $0["ixt"]?["kind"] as? String == "fixed" } && ends[0] == ends[1], "\(axes)")
        #expect(ends[0][0] == 0 && ((ends[0][1] ?? 0)).isApproximatelyEqual(to: 12 * 1.02, absoluteTolerance: 1e-9), "\(axes)")
        let epochs = try #require(drawn["epochs"] as? [Int])
        #expect(drawn["points"] as? [Int] == epochs.map { 3 * $0 }, "\(drawn)")
        #expect(drawn["lastTick"] as? [String] == ["12", "12"], "\(drawn)")
    }

    /// In a real browser: the picker lists the variants and the first one's plane is drawn.
    @Test(.enabled(if: TestSupport.chromium != nil, "chromium is not installed (scripts/bootstrap --test installs it)"))
    func chromiumDrawsTheComparison() throws {
        let sweep = try Self.trained.get()
        let dom = try TestSupport.renderedDOM(sweep.plots + "/sw/compare/compare.html", profile: sweep.directory.appendingPathComponent("chromium"))
        #expect(dom.stdout.components(separatedBy: "<option value=").count - 1 == 2 + 2, "two variants, two estimators: \(dom.stdout.prefix(3000))")
        #expect(dom.stdout.contains("class=\"marker\"") && dom.stdout.contains("<div id=\"readout\">epoch 29 (Binning"), "\(dom.stderr.suffix(300))")
    }

    @Test func compareTakesLayersEstimatorAndLimits() throws {
        let sweep = try Self.trained.get()
        let out = sweep.directory.appendingPathComponent("kde").path
        let result = try TestSupport.run(cli, ["compare", sweep.results + "/sw", "-o", out, "--layers", "output", "--estimator",
                                               "kde:noise_variance=0.1,bound=upper", "--xlim", "0,6", "--size", "800", "--font-scale", "1.2", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        #expect(json["variants"] as? [String] == ["learning_rate=0.001", "learning_rate=0.01"] && (json["files"] as? [String])?.count ?? 0 >= 6)
        let planes = try String(contentsOfFile: out + "/planes.svg", encoding: .utf8)
        #expect(planes.contains("KDE upper bound, σ² = 0.1; shared axes I(X;T) 0–6 bits"), "\(planes.prefix(600))")
        #expect(planes.contains("width=\"800\"") && planes.contains("clip-path=\"url(#frame"))
        let paths = try String(contentsOfFile: out + "/layer_paths.svg", encoding: .utf8)
        #expect(paths.components(separatedBy: "class=\"start\"").count - 1 == 2)
        let csv = try String(contentsOfFile: out + "/compare.csv", encoding: .utf8)
        #expect(csv.hasPrefix("variant,") && csv.contains(",kde_0.1_upper,") && csv.contains("ixt_output") && !csv.contains("ixt_hidden1"))
        // Without -o: plots/compare/<experiments> below the current folder.
        let unnamed = try TestSupport.run(cli, ["compare", sweep.results + "/sw", "-q"], directory: sweep.directory)
        #expect(unnamed.status == 0 && FileManager.default.fileExists(atPath: sweep.directory.path + "/plots/compare/sw/compare.html"), "\(unnamed.stderr)")
    }

    @Test(arguments: [
        (["--layers", "hidden9"], "layer \"hidden9\" is not in learning_rate=0.001, learning_rate=0.01; the variants share hidden1, hidden2, output"),
        (["--estimator", "knn:k=3"], "has no estimator \"knn:k=3\""),
        (["--xlim", "5,1"], "--xlim must be two finite numbers low,high with low < high"),
        (["--size", "10x10"], "--size must be a width or WIDTHxHEIGHT in px"),
        (["--font-scale", "9"], "--font-scale must be within 0.5…3"),
    ] as [([String], String)])
    func refusals(_ extra: [String], _ message: String) throws {
        let sweep = try Self.trained.get()
        let out = sweep.directory.appendingPathComponent("refused").path
        let result = try TestSupport.run(cli, ["compare", sweep.results + "/sw", "-o", out] + extra)
        #expect(result.status == 2 && result.stderr.contains(message) && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func oneVariantIsNotAComparison() throws {
        let sweep = try Self.trained.get()
        let result = try TestSupport.run(cli, ["compare", sweep.results + "/sw/learning_rate=0.01", "-o", sweep.directory.appendingPathComponent("one").path])
        #expect(result.status == 2 && result.stderr == "infoplane: compare needs at least two analysed folders (sweep variants or experiments), got 1\n", "\(result.stderr)")
    }

    /// `plot`'s figure options: the main estimator everywhere, limits, size and type size.
    @Test func plotOptions() throws {
        let sweep = try Self.trained.get()
        let variant = sweep.results + "/sw/learning_rate=0.01"
        let plots = sweep.directory.appendingPathComponent("options").path
        let result = try TestSupport.run(cli, ["plot", variant, "--results", sweep.results, "--plots", plots, "--estimator", "kde_0.1_upper",
                                               "--zoom", "--size", "600x400", "--font-scale", "1.5",
                                               "--only", "information_plane,information_vs_epoch,snapshots"])
        #expect(result.status == 0, "\(result.stderr)")
        let folder = plots + "/sw/learning_rate=0.01"
        let plane = try String(contentsOfFile: folder + "/information_plane.svg", encoding: .utf8)
        #expect(plane.contains("width=\"600\" height=\"400\"") && plane.contains(">KDE upper bound, σ² = 0.1</text>"))
        // Zoomed: the I(X;T) axis does not start at 0 (the data stay well above it).
        #expect(!plane.contains("class=\"xtick\">0</text>"), "\(plane.prefix(2000))")
        // Type 1.5× the layout's 11 px tick labels.
        #expect(plane.contains("font-size=\"16.5\""))
        let vsEpoch = try String(contentsOfFile: folder + "/information_vs_epoch.svg", encoding: .utf8)
        // KDE's I(X;T) is an upper bound; its I(T;Y) a difference of two, and titled so.
        #expect(vsEpoch.contains("I(X;T), KDE upper bound, σ² = 0.1") && vsEpoch.contains("I(T;Y), KDE, difference of upper bounds, σ² = 0.1"))
        let page = try String(contentsOfFile: folder + "/information_plane.html", encoding: .utf8)
        #expect(page.contains("\"main\":1"), "the page opens on the asked estimator (binning is 0)")
    }
}
