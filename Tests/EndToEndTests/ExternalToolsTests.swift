import Foundation
import Testing
import TestSupport

/// docs/external-tools.md: its shell and Python recipes run, in order, against a fresh
/// (short) run of quick.yaml, from the folder that holds `results/`.
@Suite("docs/external-tools.md recipes")
struct ExternalToolsTests {
    /// The fenced blocks of a Markdown file: (language, text).
    static func blocks(_ markdown: String) -> [(language: String, text: String)] {
        var blocks: [(String, String)] = [], language: String?, lines: [String] = []
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                if let open = language {
                    blocks.append((open, lines.joined(separator: "\n")))
                    language = nil
                } else {
                    language = String(line.dropFirst(3))
                    lines = []
                }
            } else if language != nil {
                lines.append(String(line))
            }
        }
        return blocks
    }

    @Test func recipesRun() throws {
        let cli = TestSupport.product("infoplane")
        let directory = TestSupport.temporaryDirectory("external-tools")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = TestSupport.root.appendingPathComponent("experiments/quick.yaml").path
        let trained = try TestSupport.run(cli, ["run", config, "--set", "training.epochs=300", "--set", "repeats=2", "--results", "results",
                                                "--plots", "plots", "-q"], directory: directory)
        #expect(trained.status == 0, "\(trained.stderr)")
        // The Python package, installed as the docs say (pip install ./python), for the recipes;
        // from a copy, since building it writes build/ and *.egg-info beside the sources.
        let site = directory.appendingPathComponent("site").path, source = directory.appendingPathComponent("python-package")
        try FileManager.default.copyItem(at: TestSupport.root.appendingPathComponent("python"), to: source)
        let installed = try TestSupport.run(TestSupport.python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                                                                 "--target", site, source.path], directory: directory)
        #expect(installed.status == 0, "pip install ./python: \(installed.stderr)")
        let withPackage = ["PYTHONPATH": site]
        let markdown = try String(contentsOf: TestSupport.root.appendingPathComponent("docs/external-tools.md"), encoding: .utf8)
        let blocks = Self.blocks(markdown)
        #expect(blocks.filter { $0.language == "python" }.count >= 4 && blocks.filter { $0.language == "sh" }.count >= 3)
        for (index, block) in blocks.enumerated() {
            switch block.language {
            case "sh":
                for line in block.text.split(separator: "\n") where line.hasPrefix("infoplane ") {
                    let arguments = line.dropFirst("infoplane ".count).split(separator: " ").map(String.init)
                    let result = try TestSupport.run(cli, arguments, directory: directory)
                    #expect(result.status == 0, "block \(index): \(line): \(result.stderr)")
                }
            case "python":
                let result = try TestSupport.run(TestSupport.python, ["-c", block.text], environment: withPackage, directory: directory)
                #expect(result.status == 0, "block \(index): \(result.stderr)")
            default:
                continue
            }
        }
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("plane.png").path))
        // The package against the lab: the table equals `export table`'s CSV value for value;
        // a run whose last logged epochs are not committed opens as incomplete with the
        // committed rows only; versions it does not read and several estimators are named.
        let exported = try TestSupport.run(cli, ["export", "table", "results/quick", "-o", "table.csv", "-q"], directory: directory)
        #expect(exported.status == 0, "\(exported.stderr)")
        let checked = try TestSupport.run(TestSupport.python, ["-c", """
        import shutil, h5py, numpy as np, pandas as pd, infoplane
        ours = infoplane.table(["results/quick"]).astype(str)
        lab = pd.read_csv("table.csv", keep_default_na=False, dtype=str)
        assert list(ours.columns) == list(lab.columns) and ours.shape == lab.shape, (ours.shape, lab.shape)
        key = ["estimator", "seed", "epoch", "layer_index"]
        assert (ours.sort_values(key).values == lab.sort_values(key).values).all()
        shutil.copy("results/quick/run-1.h5", "cut.h5")
        with h5py.File("cut.h5", "r+") as f:
            f["epochs"][-3:] = -1
            f["metrics/epoch"][-5:] = -1
            n = int((f["epochs"][...] >= 0).sum())
            rows = f["layers/0_hidden1/activations"][:n]
        run = infoplane.open_run("cut.h5")
        assert run.attrs["status"] == "incomplete" and run.sizes["epoch"] == n, run.attrs["status"]
        assert run["hidden1"].shape[0] == n and np.array_equal(run["hidden1"].values, rows)
        assert np.array_equal(run["hidden1"][-1:].values, rows[-1:])
        with h5py.File("cut.h5", "r+") as f:
            f.attrs["format_version"] = np.int32(9)
        try:
            infoplane.open_run("cut.h5"); raise SystemExit("version 9 opened")
        except ValueError as error:
            assert "format version 9" in str(error), error
        try:
            infoplane.open_analysis("results/quick/analysis.h5"); raise SystemExit("no estimator chosen")
        except ValueError as error:
            assert "binning_intervals30" in str(error), error
        print("ok")
        """], environment: withPackage, directory: directory)
        #expect(checked.stdout.hasSuffix("ok\n"), "\(checked.stdout)\(checked.stderr)")
    }
}
