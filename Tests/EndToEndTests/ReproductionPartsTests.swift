import Analysis
import Foundation
import Reproduction
import Testing
import TestSupport
import RealModule

/// The reduced versions of the reproduction parts added for the rest of the two papers:
/// individual networks, the IB bound, depth, and the linear networks with exact
/// information.
@Suite("Reproduction of the rest of the papers (reduced)", .serialized)
struct ReproductionPartsTests {
    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func individualNetworksAgainstTheArchive() throws {
        let (result, directory) = try reproduce("individual", repeats: 2, epochs: 1000, json: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(result.status == 0, "\(result.stderr)")
        let part = try #require(try Self.json(result.stdout)["individual"] as? [String: Any])
        let moments = try #require(part["moments"] as? [[String: Any]])
        #expect(moments.map { $0["epoch"] as? Int } == [13, 180, 999], "ours at the archive's logged indices 13, 180 and the last")
        #expect(part["runs"] as? Int == 2 && part["archive_runs"] as? Int == 20)
        // The archive's spread at convergence, straight from the file: hidden5 (index 4) at the last logged epoch.
        let archive = try ArchivedRun.read(TestSupport.dataFile("reference/idnns_orig_run_varu_10-7-5-4-4-3_fullbatch_20rep.h5"))
        let values = archive.ixt.map { $0[963][4] }
        let mean = values.reduce(0, +) / 20, sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 20).squareRoot()
        let last = try #require((moments.last?["archive"] as? [[String: Any]])?[4])
        #expect(((last["mean_ixt_bits"] as? Double ?? 0)).isApproximatelyEqual(to: mean, absoluteTolerance: 1e-9) && ((last["sd_ixt_bits"] as? Double ?? 0)).isApproximatelyEqual(to: sd, absoluteTolerance: 1e-9))
        let svg = try String(contentsOf: directory.appendingPathComponent("plots/reproduction/individual_networks.svg"), encoding: .utf8)
        #expect(svg.components(separatedBy: "data-markers=\"14\"").count - 1 == 3, "2 runs × 7 layers in each of our 3 panels")
        #expect(svg.components(separatedBy: "data-markers=\"140\"").count - 1 == 3, "20 runs × 7 layers in each of the archive's")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("plots/reproduction/individual_paths.png").path))
    }

    @Test func bottleneckBound() throws {
        let (result, directory) = try reproduce("bound", repeats: 2, epochs: 500, json: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(result.status == 0, "\(result.stderr)")
        let part = try #require(try Self.json(result.stdout)["bound"] as? [String: Any])
        let hy = try #require(part["hy_bits"] as? Double)
        #expect(hy.isApproximatelyEqual(to: 0.999157, absoluteTolerance: 1e-6))
        // Deterministic labels: the algorithm reaches only the corners (0, 0) and (H(Y), H(Y)).
        for point in try #require(part["algorithm"] as? [[String: Any]]) {
            let ixt = point["ixt_bits"] as? Double ?? -1, ity = point["ity_bits"] as? Double ?? -1, beta = point["beta"] as? Double ?? 0
            #expect(ixt.isApproximatelyEqual(to: ity, absoluteTolerance: 1e-6) && (ixt < 1e-6 || ixt.isApproximatelyEqual(to: hy, absoluteTolerance: 1e-6)) && (beta < 1) == (ixt < 1e-6), "β \(beta): (\(ixt), \(ity))")
        }
        for layer in try #require(part["ours"] as? [[String: Any]]) + (part["archive"] as? [[String: Any]] ?? []) {
            let ixt = layer["ixt_bits"] as? Double ?? 0, ity = layer["ity_bits"] as? Double ?? 0, gap = layer["gap_bits"] as? Double ?? -1
            #expect(gap.isApproximatelyEqual(to: (min(ixt, hy) - ity), absoluteTolerance: 1e-12) && gap > -1e-9, "a layer above the bound: \(layer)")
        }
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("plots/reproduction/ib_bound.png").path))
    }

    @Test func depthStudy() throws {
        let (result, directory) = try reproduce("depth", repeats: 1, epochs: 200, json: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(result.status == 0, "\(result.stderr)")
        let part = try #require(try Self.json(result.stdout)["depth"] as? [String: Any])
        let rows = try #require(part["rows"] as? [[String: Any]])
        #expect(rows.map { $0["widths"] as? [Int] ?? [] } == [[12], [12, 10], [12, 10, 7], [12, 10, 7, 5], [12, 10, 7, 5, 4], [12, 10, 7, 5, 4, 3]])
        #expect(rows.allSatisfy { ($0["test_accuracy"] as? Double ?? 0) > 0.6 }, "every depth learns something in 200 epochs")
        #expect((part["verdicts"] as? [[String: Any]])?.count == 2)
    }

    /// Exact information against closed forms, the bounds bracketing it, and the claims measured.
    @Test func linearNetworksWithExactInformation() throws {
        // One input, one unit: T = a·x + ξ, Y = x + ε: I(X;T) = ½ log₂(1 + a²/σ²), I(T;Y) from the correlation.
        let a = 1.7, noise = 0.5, outputNoise = 0.3
        #expect((GaussianChannel.ixt([[a]], noise: noise)).isApproximatelyEqual(to: 0.5 * log2(1 + a * a / noise), absoluteTolerance: 1e-12))
        let rho2 = (a * a) / ((a * a + noise) * (1 + outputNoise))
        #expect(GaussianChannel.ity([[a]], teacher: [1], noise: noise, outputNoise: outputNoise).isApproximatelyEqual(to: -0.5 * log2(1 - rho2), absoluteTolerance: 1e-12))
        // Blocks of independent inputs seen by separate units add up.
        let w = [[1.0, 0], [0, 2.0]]
        #expect((GaussianChannel.ixtBlock(w, block: 0..<1, noise: 1) + GaussianChannel.ixtBlock(w, block: 1..<2, noise: 1)).isApproximatelyEqual(to: GaussianChannel.ixt(w, noise: 1), absoluteTolerance: 1e-12))

        let (result, directory) = try reproduce("linear", repeats: 1, epochs: 3000, json: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(result.status == 0, "\(result.stderr)")
        let part = try #require(try Self.json(result.stdout)["linear"] as? [String: Any])
        for score in try #require(part["scores"] as? [[String: Any]]) {
            let name = score["estimator"] as? String ?? "", exact = score["exact_bits"] as? Double ?? 0, estimate = score["estimate_bits"] as? Double ?? 0
            if name == "KDE upper bound" { #expect(estimate >= exact, "the upper bound \(estimate) below the exact \(exact)") }
            if name == "KDE lower bound" { #expect(estimate <= exact, "the lower bound \(estimate) above the exact \(exact)") }
            if name.hasPrefix("k-NN") { #expect(estimate.isApproximatelyEqual(to: exact, absoluteTolerance: 0.3), "k-NN \(estimate) against \(exact)") }
            if name.hasPrefix("binning") { #expect(estimate > exact + 3, "binning measures the deterministic layer, not the noisy one") }
        }
        let verdicts = try #require(part["verdicts"] as? [[String: Any]])
        #expect(verdicts.count == 2 && verdicts[0]["holds"] as? Bool == true, "overtraining without compression: \(verdicts)")
        let overtraining = try #require((part["overtraining"] as? [String: Any])?["snapshots"] as? [[String: Any]])
        let ixt = overtraining.map { $0["ixt_bits"] as? Double ?? 0 }
        #expect(zip(ixt, ixt.dropFirst()).allSatisfy { $1 >= $0 - 1e-9 }, "exact I(X;T) of a linear network never falls")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("plots/reproduction/linear_overtraining.png").path))
    }
}
