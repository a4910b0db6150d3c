import Foundation
import Testing
import TestSupport

/// `infoplane visualize` on a trained CNN and on an MLP run with its analysis.
@Suite("infoplane visualize", .serialized)
struct VisualizeTests {
    let cli = TestSupport.product("infoplane")

    /// A figure by name, wherever its run and epoch placed it below `plots`.
    func figure(_ plots: URL, _ name: String) -> String {
        TestSupport.find("\(name).svg", under: plots).first ?? plots.appendingPathComponent("missing/\(name).svg").path
    }

    @Test func everyImageToolRunsOnTheCNN() throws {
        let path = try ExplainTests.cnnRun.get()
        let plots = TestSupport.temporaryDirectory("visualize")
        defer { try? FileManager.default.removeItem(at: plots) }
        let common = ["--plots", plots.path]
        let filters = try TestSupport.run(cli, ["visualize", "filters", path] + common)
        #expect(filters.status == 0, "\(filters.stderr)")
        #expect(filters.stdout.contains("conv1: 4 kernels of 3×3×1"))
        let deeper = try TestSupport.run(cli, ["visualize", "filters", path, "--layer", "conv2"] + common)
        #expect(deeper.stdout.contains("conv2: 8 filters × 4 input channels of 3×3"))
        // conv2 after conv 3/1 pad 1 and a 2×2 pool: a field of 1 + 2 + 1 + 2·2 = 8 pixels.
        let patches = try TestSupport.run(cli, ["visualize", "patches", path, "--layer", "conv2", "--channels", "0,1", "--top", "4"] + common)
        #expect(patches.status == 0, "\(patches.stderr)")
        #expect(patches.stdout.contains("receptive field 8×8 pixels"))
        // The configured test split (200 images) instead of the 60 recorded samples.
        let fromTest = try TestSupport.run(cli, ["visualize", "patches", path, "--layer", "conv1", "--channels", "0", "--top", "3", "--data", "test"] + common)
        #expect(fromTest.status == 0, "\(fromTest.stderr)")
        let samples = fromTest.stdout.split(separator: "#").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
        #expect(samples.count == 3 && samples.contains { $0 >= 60 } && samples.allSatisfy { $0 < 200 }, "\(fromTest.stdout)")
        let maximize = try TestSupport.run(cli, ["visualize", "maximize", path, "--classes", "0,3", "--presets", "none,yosinski3", "--steps", "40"] + common)
        #expect(maximize.status == 0, "\(maximize.stderr)")
        // Every target rises: "class 0 (none): a → b" with b > a.
        let rises = maximize.stdout.split(separator: "\n").filter { $0.contains("→") }.map { line -> Bool in
            let numbers = line.split(separator: " ").compactMap { Double($0) }
            return numbers.count >= 2 && numbers[numbers.count - 1] > numbers[numbers.count - 2]
        }
        #expect(rises.count == 4 && rises.allSatisfy { $0 }, "\(maximize.stdout)")
        let invert = try TestSupport.run(cli, ["visualize", "invert", path, "--layers", "conv1", "--starts", "2", "--steps", "100"] + common)
        #expect(invert.status == 0, "\(invert.stderr)")
        let occlusion = try TestSupport.run(cli, ["visualize", "occlusion", path, "--inputs", "0,1"] + common)
        #expect(occlusion.status == 0, "\(occlusion.stderr)")
        for name in ["filters_first", "filters_conv2", "patches_conv2", "maximize_classes", "invert", "occlusion"] {
            #expect(FileManager.default.fileExists(atPath: figure(plots, name)), "\(name)")
        }
        let bad = try TestSupport.run(cli, ["visualize", "patches", path, "--layer", "conv9"] + common)
        #expect(bad.status == 2 && bad.stderr.contains("no layer conv9"))
    }

    @Test func tsneAcrossEpochsNextToTheInformationPlane() throws {
        let directory = TestSupport.temporaryDirectory("visualize-tsne")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("t.yaml").path
        try """
        name: t
        seed: 5
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
        model: {widths: [10, 7, 5, 4, 3]}
        training: {epochs: 60, batch_size: 256, optimizer: {kind: adam, learning_rate: 0.004}}
        recording: {schedule: every_epoch, samples: {subset: 300}}
        analysis: {estimators: [{kind: binning, bins: 30, convention: intervals, range: [-1, 1]}], plots: [information_plane]}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let run = try TestSupport.run(cli, ["run", config, "--results", directory.path, "--plots", directory.appendingPathComponent("plots").path, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let result = try TestSupport.run(cli, ["visualize", "tsne", directory.appendingPathComponent("t/run-5.h5").path, "--layer", "hidden4",
                                               "--epochs", "0,10,59", "--iterations", "200", "--plots", directory.appendingPathComponent("plots").path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("300 points × 3 epochs"))
        #expect(result.stdout.contains("information plane from"))
        let check = try TestSupport.runPython("""
        import sys, h5py, numpy as np
        f = h5py.File(sys.argv[1], "r")
        assert f["embedding"].shape == (3, 300, 2), f["embedding"].shape
        assert list(f["epochs"][...]) == [0, 10, 59] and f["labels"].shape == (300,)
        assert np.isfinite(f["embedding"][...]).all() and (f["kl_divergence"][...] > 0).all()
        """, [directory.appendingPathComponent("plots/t/run-5/visualize/tsne_hidden4.h5").path])
        #expect(check.status == 0, "\(check.stderr)")
        let svg = try String(contentsOfFile: directory.appendingPathComponent("plots/t/run-5/visualize/tsne_hidden4.svg").path, encoding: .utf8)
        #expect(svg.components(separatedBy: "class=\"embedding\" data-points=\"300\"").count - 1 == 3)
        // The image tools that apply to an MLP on the 12 var_u inputs.
        let path = directory.appendingPathComponent("t/run-5.h5").path
        let plots = ["--plots", directory.appendingPathComponent("plots").path]
        for arguments in [["patches", path, "--layer", "hidden3", "--top", "4"], ["maximize", path, "--steps", "30"],
                          ["invert", path, "--inputs", "3", "--starts", "2", "--steps", "60"], ["occlusion", path, "--window", "2", "--stride", "1"]] {
            let tool = try TestSupport.run(cli, ["visualize"] + arguments + plots)
            #expect(tool.status == 0, "\(arguments[0]): \(tool.stderr)")
        }
        // On 12 flat inputs occlusion covers one input at a time by default, and says so.
        let occlusion = try TestSupport.run(cli, ["visualize", "occlusion", path, "--inputs", "0"] + plots)
        #expect(occlusion.status == 0, "\(occlusion.stderr)")
        let occlusionSVG = try String(contentsOfFile: directory.appendingPathComponent("plots/t/run-5/epoch-59/visualize/occlusion.svg").path, encoding: .utf8)
        #expect(occlusionSVG.contains("each input set to the baseline"))
        let filters = try TestSupport.run(cli, ["visualize", "filters", path] + plots)
        #expect(filters.status == 2 && filters.stderr.contains("no conv2d layer"))
        let bad = try TestSupport.run(cli, ["visualize", "tsne", directory.appendingPathComponent("t/run-5.h5").path, "--layer", "hidden4", "--epochs", "999"])
        #expect(bad.status == 2 && bad.stderr.contains("not logged"))
    }
}
