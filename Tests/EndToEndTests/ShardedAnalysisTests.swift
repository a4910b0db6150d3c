import Foundation
import Testing
import TestSupport

/// docs/cluster.md: analysing 6 runs in 3 shards and merging gives the analysis one node
/// writes, dataset for dataset.
@Suite("sharded analysis")
struct ShardedAnalysisTests {
    @Test func mergedShardsEqualOneNode() throws {
        let cli = TestSupport.product("infoplane")
        let directory = TestSupport.temporaryDirectory("shards")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("s.yaml").path
        try """
        name: s
        repeats: 6
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
        model: {widths: [8, 5, 3]}
        training: {epochs: 20, batch_size: 256, optimizer: {kind: adam, learning_rate: 0.003}}
        recording: {schedule: {every: 5}}
        analysis: {estimators: [{kind: binning, bins: 30}, {kind: kde, noise_variance: 0.1, bound: both}]}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let results = directory.appendingPathComponent("results")
        #expect(try TestSupport.run(cli, ["train", config, "--results", results.path, "-q"]).status == 0)
        let folder = results.appendingPathComponent("s").path
        let single = directory.appendingPathComponent("single.h5").path
        #expect(try TestSupport.run(cli, ["analyze", folder, "-o", single, "-q"]).status == 0)
        for i in 0..<3 {
            let shard = try TestSupport.run(cli, ["analyze", folder, "--shard", "\(i)/3", "--jobs", "1", "-q"])
            #expect(shard.status == 0, "\(shard.stderr)")
        }
        let early = try TestSupport.run(cli, ["analyze", folder, "--merge", "-o", directory.appendingPathComponent("x.h5").path])
        #expect(early.status == 0, "\(early.stderr)")
        try FileManager.default.removeItem(atPath: folder + "/analysis.shard-2-of-3.h5")
        let missing = try TestSupport.run(cli, ["analyze", folder, "--merge"])
        #expect(missing.status == 2 && missing.stderr.contains("analysis.shard-2-of-3.h5"), "\(missing.stderr)")
        #expect(try TestSupport.run(cli, ["analyze", folder, "--shard", "2/3", "-q"]).status == 0)
        let merged = try TestSupport.run(cli, ["analyze", folder, "--merge"])
        #expect(merged.status == 0 && merged.stdout.contains("6 run(s)"), "\(merged.stderr)")
        let result = try TestSupport.runPython(Self.compareDatasets, [single, folder + "/analysis.h5"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect((Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 40)

        // --json: the whole outcome, parsed by Python; environment --json too.
        let json = try TestSupport.run(cli, ["analyze", folder, "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let parsed = try TestSupport.runPython("""
        import sys, json
        outcome = json.loads(sys.stdin.read())[0]
        assert outcome["runs"] == 6 and outcome["epochs"] == 5, outcome
        assert sorted(outcome["kept"]) == ["binning_intervals30", "kde_0.1_lower", "kde_0.1_upper"], outcome
        assert {"estimator", "violations", "largest_bits"} <= set(outcome["dpi"][0]), outcome["dpi"]
        import h5py
        f = h5py.File(outcome["output"], "r")
        for entry in outcome["dpi"]:
            group = f["estimators/" + entry["estimator"]]
            assert entry["violations"] == group.attrs["dpi_violations"], entry
            assert abs(entry["largest_bits"] - group.attrs["dpi_largest_violation_bits"]) < 1e-12, entry
        print("ok")
        """.replacingOccurrences(of: "sys.stdin.read()", with: "open(sys.argv[1]).read()"), [try Self.save(json.stdout, in: directory)])
        #expect(parsed.status == 0, "\(parsed.stderr)")
        let environment = try TestSupport.run(cli, ["environment", "--json"])
        let facts = try JSONSerialization.jsonObject(with: Data(environment.stdout.utf8)) as? [String: Any]
        #expect(facts?["hdf5"] != nil && facts?["available_workers"] != nil, "\(environment.stdout)")
    }

    /// Python: whether two analysis files hold the same datasets, bit for bit (run paths
    /// compared by file name); prints how many were compared.
    static let compareDatasets = """
    import sys, h5py, numpy as np
    a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
    names, other = [], []
    a.visit(names.append); b.visit(other.append)
    assert sorted(names) == sorted(other), set(names) ^ set(other)
    count = 0
    for name in names:
        if isinstance(a[name], h5py.Dataset):
            x, y = a[name][()], b[name][()]
            if name.endswith("run_path"):
                x = [p.decode().split("/")[-1] for p in x]; y = [p.decode().split("/")[-1] for p in y]
                assert x == y, name
            elif x.dtype.kind == "O":
                assert list(x) == list(y), name
            else:
                assert x.dtype == y.dtype and x.shape == y.shape, name
                assert x.tobytes() == y.tobytes(), name
            count += 1
    print(count)
    """

    static func save(_ text: String, in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("out.json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
