import Foundation
import Networks

/// Wall-clock seconds of `body`.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// The median (the mean of the middle two for an even count).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// The value a quarter of `values` exceed.
func upperQuartile(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? .nan : sorted[(3 * sorted.count) / 4]
}

/// The middle half of `values` (first to third quartile), as text.
func spread(_ values: [Double]) -> String {
    let sorted = values.sorted()
    guard sorted.count >= 4 else { return String(format: "%.3g–%.3g", sorted.first ?? .nan, sorted.last ?? .nan) }
    return String(format: "IQR %.3g–%.3g", sorted[sorted.count / 4], sorted[(3 * sorted.count) / 4])
}

/// `ours` and the reference workload in alternating rounds (ours, reference, ours, …):
/// this machine's speed drifts by tens of percent within an hour, so a ratio is only
/// meaningful between measurements taken side by side. Returns each round's values; the
/// reference's are empty when no Python with torch is found.
func alternating<T>(rounds: Int, reference workload: String?, ours: () throws -> T) rethrows
    -> (ours: [T], reference: [[String: Double]]) {
    var mine: [T] = [], theirs: [[String: Double]] = []
    var available = workload != nil
    for _ in 0..<rounds {
        mine.append(try ours())
        if available, let workload {
            if let values = pytorchReference(workload) { theirs.append(values) } else { available = false }
        }
    }
    return (mine, theirs)
}

/// The reference's value `key` per round.
func values(_ rounds: [[String: Double]], _ key: String) -> [Double] { rounds.compactMap { $0[key] } }

/// One line of the summary table `make bench` ends with.
struct Row {
    var workload: String
    var ours: Double
    var spread: String
    var unit: String
    var reference: Double?
    var label: String
    var target: String
    var met: Bool?

    var ratio: Double? { reference.map { $0 / ours } }
}

/// The summary: every row with its ratio and whether its target is met, as a Markdown table.
func printSummary(_ rows: [Row]) {
    guard !rows.isEmpty else { return }
    print("\n== Summary (medians over alternating rounds; spread: interquartile range, or min–max for < 4 rounds)")
    print("| workload | infoplane | spread | reference | ratio | target | met |")
    print("|---|---|---|---|---|---|---|")
    for row in rows {
        let value = { (v: Double) in v >= 100 ? String(format: "%.0f %@", v, row.unit) : String(format: "%.3g %@", v, row.unit) }
        let reference = row.reference.map { "\(row.label) \(value($0))" } ?? "–"
        let ratio = row.ratio.map { String(format: "%.1f×", $0) } ?? "–"
        let met = row.met.map { $0 ? "yes" : "**no**" } ?? "–"
        print("| \(row.workload) | \(value(row.ours)) | \(row.spread) | \(reference) | \(ratio) | \(row.target) | \(met) |")
    }
}

/// Keeps what the recorder of a later issue would need, in memory: every minibatch's
/// gradients and, every epoch, the activations of all inputs.
final class BenchObserver: TrainingObserver {
    let observedRows: [Int]
    var gradientTensors = 0
    var activationScalars = 0

    init(rows: [Int]) { observedRows = rows }
    func wantsLayerOutputs(completedEpochs: Int) -> Bool { !observedRows.isEmpty }
    func didComputeGradients(_ event: MinibatchEvent) throws {
        gradientTensors += event.gradients.reduce(0) { $0 + $1.count }
    }
    func didEvaluate(_ event: EvaluationEvent) throws {
        activationScalars += event.layerOutputs?.reduce(0) { $0 + $1.count } ?? 0
    }
}

/// Runs `benchmarks/reference.py WORKLOAD` with a Python that has torch; nil when none.
func pytorchReference(_ workload: String) -> [String: Double]? {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    let script = root.appendingPathComponent("reference.py").path
    let candidates = [ProcessInfo.processInfo.environment["INFOPLANE_BENCH_PYTHON"], "/usr/bin/python3",
                      root.deletingLastPathComponent().appendingPathComponent(".venv/bin/python").path].compactMap { $0 }
    for python in candidates where FileManager.default.isExecutableFile(atPath: python) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, workload]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { continue }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Double] else { continue }
        return json
    }
    return nil
}

func report(_ name: String, ours: Double, reference: Double?, unit: String = "ms", label: String = "PyTorch") {
    var line = "\(name): \(String(format: "%.3f", ours)) \(unit)"
    if let reference {
        line += String(format: "   %@ %.3f %@   ratio %@/ours %.1f×", label, reference, unit, label, reference / ours)
    }
    print(line)
}

