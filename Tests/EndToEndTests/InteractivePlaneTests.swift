import Foundation
import Testing
import TestSupport

/// `plot` writes information_plane.html: self-contained, its data whole, and its script's
/// drawing function run under node (when installed) for the hover titles, the layer
/// toggles, the estimator choice and the epoch marker.
@Suite("Interactive information plane")
struct InteractivePlaneTests {
    struct Failed: Error, CustomStringConvertible { var description: String }

    /// The page of a 2-run experiment, made once for the cases below.
    static let made: Result<(directory: URL, page: String), Failed> = {
        let directory = TestSupport.temporaryDirectory("interactive")
        let config = directory.appendingPathComponent("i.yaml").path
        let yaml = """
        name: i
        repeats: 2
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
        model: {widths: [6, 4]}
        training: {epochs: 30, batch_size: 512, optimizer: {kind: adam, learning_rate: 0.003}}
        recording: {schedule: {every: 3}}
        analysis:
          estimators: [{kind: binning, bins: 30, convention: intervals, range: [-1, 1]}, {kind: kde, noise_variance: 0.1, bound: upper}]
          plots: [information_plane]
        """
        let results = directory.appendingPathComponent("results").path, plots = directory.appendingPathComponent("plots")
        guard (try? yaml.write(toFile: config, atomically: true, encoding: .utf8)) != nil,
              let run = try? TestSupport.run(TestSupport.product("infoplane"), ["run", config, "--results", results, "--plots", plots.path, "--quiet"]),
              run.status == 0 else { return .failure(Failed(description: "the experiment did not run")) }
        return .success((directory, plots.appendingPathComponent("i/information_plane.html").path))
    }()

    @Test func pageIsSelfContainedWithItsDataWhole() throws {
        let path = try Self.made.get().page
        let html = try String(contentsOfFile: path, encoding: .utf8)
        // Nothing loaded from elsewhere: no src, href, link, import or fetch.
        for forbidden in ["src=", "href=", "<link", "import(", "fetch(", "XMLHttpRequest"] { #expect(!html.contains(forbidden), "\(forbidden)") }
        // The inline data: both estimators, every logged epoch and layer, spreads over 2 runs.
        let check = try TestSupport.runPython("""
        import sys, json, re
        html = open(sys.argv[1]).read()
        d = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', html, re.S).group(1))
        assert d["runs"] == 2 and d["layers"] == ["hidden1", "hidden2", "output"], (d["runs"], d["layers"])
        assert d["epochs"][:10] == list(range(0, 30, 3)) and d["epochs"][-1] == 29, d["epochs"]
        assert [e["title"] for e in d["estimators"]] == ["Binning, 30 bins on [−1, 1]", "KDE upper bound, σ² = 0.1"]
        for e in d["estimators"]:
            assert len(e["ixt"]) == len(d["epochs"]) and all(len(r) == 3 for r in e["ixt"]) and len(e["ixtSD"]) == len(d["epochs"])
        assert any(v > 0 for r in d["estimators"][0]["ixtSD"] for v in r if v is not None)
        """, [path])
        #expect(check.status == 0, "\(check.stderr)")
    }

    /// In a real browser: the script runs, draws the markers and opens on the main estimator.
    @Test(.enabled(if: TestSupport.chromium != nil, "chromium is not installed (scripts/bootstrap --test installs it)"))
    func chromiumDrawsThePage() throws {
        let (directory, path) = try Self.made.get()
        let dom = try TestSupport.renderedDOM(path, profile: directory.appendingPathComponent("chromium"))
        #expect(dom.stdout.contains("class=\"marker\"") && dom.stdout.contains("<div id=\"readout\">epoch 29 (Binning"), "\(dom.stderr.suffix(300))")
    }

    /// The drawing function under node: hover titles, layer toggles, estimator choice, epoch marker.
    @Test(.enabled(if: TestSupport.node != nil, "node is not installed"))
    func scriptDrawsWhatItShould() throws {
        let (directory, path) = try Self.made.get()
        let harness = directory.appendingPathComponent("harness.js").path
        try #"""
        const fs = require("fs");
        const html = fs.readFileSync(process.argv[2], "utf8");
        const D = JSON.parse(html.match(/<script type="application\/json" id="data">([\s\S]*?)<\/script>/)[1]);
        eval(html.match(/<script>\n([\s\S]*?)<\/script>/)[1] + "\nglobalThis.render = render; globalThis.readout = readout;");
        const count = (s, re) => (s.match(re) || []).length;
        const all = render(D, { estimator: 0, visible: [true, true, true], epoch: D.epochs.length - 1 });
        const some = render(D, { estimator: 1, visible: [true, false, true], epoch: 2 });
        console.log(JSON.stringify({ epochs: D.epochs.length, points: count(all, /class="point"/g), titles: count(all, /<title>/g), markers: count(all, /class="marker"/g),
          pointsSome: count(some, /class="point"/g), markersSome: count(some, /class="marker"/g),
          title: all.match(/<title>([^<]*)<\/title>/)[1], readout: readout(D, { estimator: 1, visible: [true, false, true], epoch: 2 }) }));
        """#.write(toFile: harness, atomically: true, encoding: .utf8)
        let node = try TestSupport.run(try #require(TestSupport.node), [harness, path])
        #expect(node.status == 0, "\(node.stderr)")
        let drawn = try #require(try JSONSerialization.jsonObject(with: Data(node.stdout.utf8)) as? [String: Any], "\(node.stdout)")
        // A point with its hover title per layer and logged epoch; one marker per shown layer.
        let epochs = try #require(drawn["epochs"] as? Int)
        #expect(drawn["points"] as? Int == 3 * epochs && drawn["titles"] as? Int == 3 * epochs && drawn["markers"] as? Int == 3, "\(drawn)")
        #expect(drawn["pointsSome"] as? Int == 2 * epochs && drawn["markersSome"] as? Int == 2, "\(drawn)")
        let title = drawn["title"] as? String ?? ""
        #expect(title.hasPrefix("hidden1, epoch 0, mean of 2 runs: I(X;T) = ") && title.contains(" ± ") && title.contains("I(T;Y) = "), "\(title)")
        #expect((drawn["readout"] as? String ?? "").hasPrefix("epoch 6 (KDE upper bound, σ² = 0.1): hidden1 ("), "\(drawn)")
    }

    /// `plot --xlim/--ylim` and `--zoom` reach the page: its axes span what the static
    /// figure's do, ticks inside them, the points outside cut at the frame.
    @Test(.enabled(if: TestSupport.node != nil, "node is not installed"))
    func pageFollowsTheAxisOptions() throws {
        let (directory, _) = try Self.made.get()
        let results = directory.appendingPathComponent("results/i").path
        var frames: [String: [String]] = [:]
        for (name, options) in [("fixed", ["--xlim", "2,8", "--ylim", "0.5,1"]), ("zoom", ["--zoom"]), ("default", [])] {
            let plots = directory.appendingPathComponent("axes-\(name)").path
            let plot = try TestSupport.run(TestSupport.product("infoplane"), ["plot", results, "--plots", plots, "--only", "information_plane", "-q"] + options)
            #expect(plot.status == 0, "\(plot.stderr)")
            let harness = directory.appendingPathComponent("axes.js").path
            try #"""
            const fs = require("fs");
            const html = fs.readFileSync(process.argv[2], "utf8");
            const D = JSON.parse(html.match(/<script type="application\/json" id="data">([\s\S]*?)<\/script>/)[1]);
            eval(html.match(/<script>\n([\s\S]*?)<\/script>/)[1] + "\nglobalThis.render = render;");
            const svg = render(D, { estimator: D.main, visible: D.layers.map(() => true), epoch: D.epochs.length - 1 });
            const ticks = [...svg.matchAll(/class="xtick"[^>]*>([^<]*)</g)].map(m => m[1]);
            console.log(JSON.stringify([svg.match(/class="frame"[^>]*data-x="([^"]*)" data-y="([^"]*)"/).slice(1).join(";"),
              ticks[0], ticks[ticks.length - 1], String(svg.includes('clip-path="url(#frame'))]));
            """#.write(toFile: harness, atomically: true, encoding: .utf8)
            let node = try TestSupport.run(try #require(TestSupport.node), [harness, plots + "/i/information_plane.html"])
            #expect(node.status == 0, "\(node.stderr)")
            frames[name] = try #require(try JSONSerialization.jsonObject(with: Data(node.stdout.utf8)) as? [String], "\(node.stdout)")
        }
        #expect(frames["fixed"] == ["2,8;0.5,1", "2", "8", "true"], "\(frames)")
        // The default: 0 to H(X) = 12 bits (+2%) as the static plane; --zoom: the data's own range.
        #expect(frames["default"]?.first?.hasPrefix("0,12.24;0,") == true && frames["default"]?[2] == "12", "\(frames)")
        let zoomed = try #require(frames["zoom"]?.first?.split(separator: ";").first?.split(separator: ",").compactMap { Double($0) })
        #expect(zoomed.count == 2 && zoomed[0] > 0 && zoomed != [0, 12.24], "\(frames)")
    }
}
