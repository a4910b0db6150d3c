import Analysis
import Foundation
import Reproduction
import Testing
import TestSupport
import RealModule

/// Runs `infoplane reproduce --part PART` reduced, into a temporary folder, from the
/// repository root (the configs name data/ relatively).
func reproduce(_ part: String, repeats: Int, epochs: Int, json: Bool = false) throws -> (result: TestSupport.ProcessResult, directory: URL) {
    let directory = TestSupport.temporaryDirectory("reproduce-\(part)")
    let result = try TestSupport.run(TestSupport.product("infoplane"), [
        "reproduce", "--part", part, "--repeats", "\(repeats)", "--epochs", "\(epochs)",
        "--experiments", TestSupport.root.appendingPathComponent("experiments").path,
        "--archive", TestSupport.dataFile("reference/idnns_orig_run_varu_10-7-5-4-4-3_fullbatch_20rep.h5"),
        "--results", directory.appendingPathComponent("results").path,
        "--plots", directory.appendingPathComponent("plots").path,
    ] + (json ? ["--json"] : []), directory: TestSupport.root)
    return (result, directory)
}

/// The reduced reproduction of the archived 2017 run (2 repeats, 1000 epochs): the same
/// checks as `make reproduce`, with wider tolerances.
@Suite("Reproduction (reduced)", .serialized)
struct ReproductionTests {
    @Test func archivedRunReducedAgrees() throws {
        let (result, directory) = try reproduce("archived", repeats: 2, epochs: 1000)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(result.status == 0, "\(result.stderr)")
        // The comparison itself, from the analysis the command wrote (not from its printed table).
        let analysis = directory.appendingPathComponent("results/reproduction/tishby2017-archived/analysis.h5").path
        let comparison = try ArchiveComparison.compare(
            analysisPath: analysis, label: "binning_edges50",
            archivePath: TestSupport.dataFile("reference/idnns_orig_run_varu_10-7-5-4-4-3_fullbatch_20rep.h5"))
        #expect(comparison.layers.count == 7 && comparison.ourRuns == 2 && comparison.archiveRuns == 20)
        // The narrow layers (5, 4, 4, 3 units) peak as in the archive: 11.17, 9.68, 7.83 bits
        // for the 5-, 4-, 4-unit layers and then compress; within 1.5 bits at this length.
        for (name, archivePeak) in [("hidden4", 11.17), ("hidden5", 9.68), ("hidden6", 7.83)] {
            let layer = try #require(comparison.layers.first { $0.name == name })
            #expect(layer.ourPeak.bits.isApproximatelyEqual(to: archivePeak, absoluteTolerance: 1.5), "\(name): our peak \(layer.ourPeak.bits) vs \(archivePeak)")
            #expect(layer.archivePeak.bits.isApproximatelyEqual(to: archivePeak, absoluteTolerance: 0.02), "\(name): archive peak \(layer.archivePeak.bits)")
            #expect(layer.ixtRMS < 1.5, "\(name): RMS difference \(layer.ixtRMS) bits")
            #expect(layer.ityRMS < 0.3, "\(name): I(T;Y) RMS difference \(layer.ityRMS) bits")
        }
        #expect(result.stdout.contains(comparison.table))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("plots/reproduction/archived_information_plane.svg").path))
    }
}

@Suite("Reproduction of Saxe et al. (reduced)", .serialized)
struct SaxeReproductionTests {
    /// 2 runs × 1000 epochs of saxe2018-tanh and -relu: every claim is measured and judged;
    /// at this length at least four of the five must hold.
    @Test func claimsAreMeasured() throws {
        let (result, directory) = try reproduce("saxe", repeats: 2, epochs: 1000, json: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(result.status == 0, "\(result.stderr)")
        let results = directory.appendingPathComponent("results/reproduction")
        let claims = SaxeClaims.evaluate(tanh: try AnalysisFile.read(results.appendingPathComponent("saxe2018-tanh/analysis.h5").path),
                                         relu: try AnalysisFile.read(results.appendingPathComponent("saxe2018-relu/analysis.h5").path))
        #expect(claims.claims.count == 5)
        #expect(claims.claims.filter(\.holds).count >= 4, "\(claims.report)")
        // --json: standard output is one JSON object with the same verdicts, and nothing else.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        let printed = try #require((object["saxe"] as? [String: Any])?["claims"] as? [[String: Any]])
        #expect(printed.map { $0["holds"] as? Bool } == claims.claims.map(\.holds))
        #expect(printed.map { $0["statement"] as? String } == claims.claims.map(\.statement))
        #expect(object["archived"] == nil && object["sizes"] == nil)
        #expect(claims.report.contains("binning_width0.07_global_range") && claims.report.contains("kde_0.1_upper"))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("plots/reproduction/saxe2018-relu/estimator_comparison.svg").path))
    }
}

@Suite("Reproduction of the training-set sizes (reduced)", .serialized)
struct SizesReproductionTests {
    /// 2 runs × 2000 epochs at 5%, 45% and 85% of var_u: with 5% of the data, I(T;Y) of the
    /// last hidden layer falls late in training, with 85% it does not.
    @Test func smallTrainingSetsOverfit() throws {
        let (result, directory) = try reproduce("sizes", repeats: 2, epochs: 2000)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(result.status == 0, "\(result.stderr)")
        let study = TrainingSetSizeStudy.evaluate(try [5, 45, 85].map { percent in
            (Double(percent) / 100, try AnalysisFile.read(directory.appendingPathComponent("results/reproduction/sizes-\(percent)/tishby2017/analysis.h5").path))
        })
        #expect(study.rows.count == 3 && study.layer == "hidden5")
        if study.rows.count == 3 {
            #expect(study.rows[0].drop > 0.02, "5%: \(study.rows[0].drop) bits")
            #expect(study.rows[0].drop > study.rows[2].drop, "5%: \(study.rows[0].drop), 85%: \(study.rows[2].drop)")
        }
        #expect(result.stdout.contains(study.report))
        // The figures: three information planes side by side, and the last hidden layer's
        // curves with one series per fraction.
        let plane = try String(contentsOf: directory.appendingPathComponent("plots/reproduction/sizes_information_plane.svg"), encoding: .utf8)
        #expect(plane.components(separatedBy: "class=\"plane\"").count - 1 == 3)
        for fraction in ["5%", "45%", "85%"] { #expect(plane.contains("\(fraction) of the data: 2 runs")) }
        let curves = try String(contentsOf: directory.appendingPathComponent("plots/reproduction/sizes_last_hidden.svg"), encoding: .utf8)
        #expect(curves.contains("I(T;Y) of hidden5") && curves.contains("I(X;T) of hidden5"))
    }
}
