import Foundation
import Testing
import TestSupport

/// `analyze` holds a bounded number of epoch-layers, however many epochs a run logged:
/// the same wide layer logged 4 and 16 times is analysed within the same peak memory
/// (`analyze -v` reports it), although the longer run holds 192 MiB more activations.
@Suite("analysis memory", .serialized)
struct AnalysisMemoryTests {
    let cli = TestSupport.product("infoplane")

    /// The peak resident memory `analyze -v` reports for a run logged `every` epochs.
    func peak(every: Int, in directory: URL) throws -> Int {
        let config = directory.appendingPathComponent("wide\(every).yaml").path
        try """
        name: wide\(every)
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
        model: {widths: [1024], activation: tanh}
        training: {epochs: 15, batch_size: 512, optimizer: {kind: sgd, learning_rate: 0.01}}
        recording: {schedule: {every: \(every)}, storage: float16, samples: all}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let results = directory.appendingPathComponent("results")
        let trained = try TestSupport.run(cli, ["train", config, "--results", results.path, "--quiet"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let analyzed = try TestSupport.run(cli, ["analyze", results.appendingPathComponent("wide\(every)").path, "-v",
                                                 "--estimator", "binning:bins=30"])
        #expect(analyzed.status == 0, "\(analyzed.stderr)")
        let line = analyzed.stderr.split(separator: "\n").first { $0.contains("peak memory") } ?? ""
        let mebibytes = line.split(separator: " ").firstIndex(of: "memory").flatMap { Int(line.split(separator: " ")[$0 + 1]) }
        #expect(mebibytes != nil, "no peak memory in: \(analyzed.stderr)")
        return mebibytes ?? 0
    }

    @Test func peakMemoryDoesNotGrowWithLoggedEpochs() throws {
        let directory = TestSupport.temporaryDirectory("memory")
        defer { try? FileManager.default.removeItem(at: directory) }
        // 4096 samples × 1024 units as floats: 16 MiB per epoch-layer. Logged every 5
        // epochs: 0, 5, 10, 15 (4); every epoch: 16, so 12 × 16 = 192 MiB more.
        let few = try peak(every: 5, in: directory)
        let many = try peak(every: 1, in: directory)
        #expect(few > 0 && many < few + 96, "peak \(many) MiB for 16 logged epochs against \(few) MiB for 4")
    }
}
