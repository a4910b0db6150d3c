import Foundation
import Testing
import TestSupport

/// Runs `infoplane reproduce --part PART` reduced, into a temporary folder, from the
/// repository root (the configs name data/ relatively).
func reproduce(_ part: String, repeats: Int, epochs: Int) throws -> (result: TestSupport.ProcessResult, directory: URL) {
    let directory = TestSupport.temporaryDirectory("reproduce-\(part)")
    let result = try TestSupport.run(TestSupport.product("infoplane"), [
        "reproduce", "--part", part, "--repeats", "\(repeats)", "--epochs", "\(epochs)",
        "--config", TestSupport.root.appendingPathComponent("experiments/tishby2017-archived.yaml").path,
        "--archive", TestSupport.dataFile("reference/idnns_orig_run_varu_10-7-5-4-4-3_fullbatch_20rep.h5"),
        "--results", directory.appendingPathComponent("results").path,
        "--plots", directory.appendingPathComponent("plots").path, "--quiet",
    ], directory: TestSupport.root)
    return (result, directory)
}

/// The reduced reproduction of the archived 2017 run (2 repeats, 1000 epochs): the same
/// checks as `make reproduce`, with wider tolerances.
@Suite("Reproduction (reduced)", .serialized)
struct ReproductionTests {
    @Test func archivedRunReducedAgrees() throws {
        let (result, directory) = try reproduce("archived", repeats: 2, epochs: 1000)
        #expect(result.status == 0, "\(result.stderr)")
        // Parse the table: layer, RMS I(X;T), RMS I(T;Y), peak ours (epoch), archive (epoch), finals, within.
        var rows: [String: [Double]] = [:]
        for line in result.stdout.split(separator: "\n") where line.hasPrefix("hidden") || line.hasPrefix("output") {
            let numbers = line.split(whereSeparator: { " ()%".contains($0) }).dropFirst().compactMap { Double($0) }
            rows[String(line.split(separator: " ")[0])] = numbers
        }
        #expect(rows.count == 7)
        // The narrow layers (5, 4, 4, 3 units) peak as in the archive: 11.16, 9.69, 7.83 bits
        // for the 5-, 4-, 4-unit layers and then compress; within 1.5 bits at this length.
        for (layer, archivePeak) in [("hidden4", 11.17), ("hidden5", 9.68), ("hidden6", 7.83)] {
            let row = try #require(rows[layer])
            #expect(abs(row[2] - archivePeak) < 1.5, "\(layer): our peak \(row[2]) vs \(archivePeak)")
            #expect(row[0] < 1.5, "\(layer): RMS difference \(row[0]) bits")
            #expect(row[1] < 0.3, "\(layer): I(T;Y) RMS difference \(row[1]) bits")
        }
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("plots/archived_information_plane.svg").path))
    }
}

@Suite("Reproduction of Saxe et al. (reduced)", .serialized)
struct SaxeReproductionTests {
    /// 2 runs × 1000 epochs of saxe2018-tanh and -relu: every claim is measured and judged;
    /// at this length at least four of the five must hold.
    @Test func claimsAreMeasured() throws {
        let (result, directory) = try reproduce("saxe", repeats: 2, epochs: 1000)
        #expect(result.status == 0, "\(result.stderr)")
        let verdicts = result.stdout.split(separator: "\n").filter { $0.hasPrefix("holds") || $0.hasPrefix("does not hold") }
        #expect(verdicts.count == 5, "\(result.stdout)")
        #expect(verdicts.filter { $0.hasPrefix("holds") }.count >= 4, "\(result.stdout)")
        #expect(result.stdout.contains("binning_width0.07_global_range") && result.stdout.contains("kde_0.1_upper"))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("plots/saxe2018-relu/estimator_comparison.svg").path))
    }
}

@Suite("Reproduction of the training-set sizes (reduced)", .serialized)
struct SizesReproductionTests {
    /// 2 runs × 2000 epochs at 5%, 45% and 85% of var_u: with 5% of the data, I(T;Y) of the
    /// last hidden layer falls late in training, with 85% it does not.
    @Test func smallTrainingSetsOverfit() throws {
        let (result, directory) = try reproduce("sizes", repeats: 2, epochs: 2000)
        #expect(result.status == 0, "\(result.stderr)")
        let drops = result.stdout.split(separator: "\n").filter { $0.contains("late drop") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
        #expect(drops.count == 3, "\(result.stdout)")
        if drops.count == 3 {
            #expect(drops[0] > 0.02, "5%: \(drops[0]) bits")
            #expect(drops[0] > drops[2], "5%: \(drops[0]), 85%: \(drops[2])")
        }
        // The figures: three information planes side by side, and the last hidden layer's
        // curves with one series per fraction.
        let plane = try String(contentsOf: directory.appendingPathComponent("plots/sizes_information_plane.svg"), encoding: .utf8)
        #expect(plane.components(separatedBy: "class=\"plane\"").count - 1 == 3)
        for fraction in ["5%", "45%", "85%"] { #expect(plane.contains("\(fraction) of the data: 2 runs")) }
        let curves = try String(contentsOf: directory.appendingPathComponent("plots/sizes_last_hidden.svg"), encoding: .utf8)
        #expect(curves.contains("I(T;Y) of hidden5") && curves.contains("I(X;T) of hidden5"))
    }
}
