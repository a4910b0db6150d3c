import Foundation
@testable import Information
import Networks
import Tensor
import Testing
import TestSupport
import RealModule

@Suite("Binning conventions")
struct BinningConventionTests {
    @Test func edgesGiveAnExactOneItsOwnBin() {
        // 30 edges over [−1, 1]: 29 intervals + the symbol of exactly +1.0.
        let estimator = BinnedEstimator(.edges(30))
        let values: [Float] = [-1, -0.5, 0, 0.9999, 1]
        let symbols = estimator.symbols(Tensor(shape: [5, 1], scalars: values))
        #expect(Set(symbols).count == 5)
        let intervals = BinnedEstimator(.intervals(30)).symbols(Tensor(shape: [5, 1], scalars: values))
        #expect(intervals[3] == intervals[4])   // 0.9999 and 1.0 share the last interval
    }

    /// The 2017 code (IDNNs `calc_information`: digitize, then unique rows) in numpy, on
    /// random tanh activations including exact ±1 and edge values, against ours.
    @Test(arguments: [30, 50])
    func edgesMatchTheIDNNsCode(_ count: Int) throws {
        var rng = SeededRNG(seed: UInt64(count))
        let n = 2000, units = 5
        var values = (0..<(n * units)).map { _ in Kernels.fastTanh(rng.uniform(-3, 3)) }
        for i in stride(from: 0, to: values.count, by: 37) { values[i] = 1 }
        for i in stride(from: 5, to: values.count, by: 41) { values[i] = Float(-1 + 2 * Double(i % count) / Double(count - 1)) }
        let labels = (0..<n).map { _ in Int32(rng.int(below: 2)) }
        let ours = BinnedEstimator(.edges(count)).estimate(Tensor(shape: [n, units], scalars: values), labels: labels)
        let directory = TestSupport.temporaryDirectory("idnns")
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("t.bin")
        try Data(values.withUnsafeBufferPointer { Data(buffer: $0) }).write(to: input)
        try Data(labels.withUnsafeBufferPointer { Data(buffer: $0) }).write(to: directory.appendingPathComponent("y.bin"))
        let script = """
        import sys, numpy as np
        d = sys.argv[1]; n, units, count = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        data = np.fromfile(d + "/t.bin", dtype=np.float32).reshape(n, units)
        y = np.fromfile(d + "/y.bin", dtype=np.int32)
        bins = np.linspace(-1, 1, count)
        digitized = bins[np.digitize(np.squeeze(data.reshape(1, -1)), bins) - 1].reshape(n, -1)
        def h(rows):
            b = np.ascontiguousarray(rows).view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1])))
            _, counts = np.unique(b, return_counts=True)
            p = counts / counts.sum()
            return -np.sum(p * np.log2(p))
        ht = h(digitized)
        hty = sum((y == c).mean() * h(digitized[y == c]) for c in np.unique(y))
        print(repr(float(ht)), repr(float(ht - hty)))
        """
        let result = try TestSupport.runPython(script, [directory.path, "\(n)", "\(units)", "\(count)"])
        #expect(result.status == 0, "\(result.stderr)")
        let numbers = result.stdout.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(numbers.count == 2)
        #expect(ours.ixt.isApproximatelyEqual(to: numbers[0], absoluteTolerance: 1e-9), "ours \(ours.ixt) numpy \(numbers[0])")
        #expect(ours.ity.isApproximatelyEqual(to: numbers[1], absoluteTolerance: 1e-9), "ours \(ours.ity) numpy \(numbers[1])")
    }

    /// A random tanh network at initialisation: ours against a direct computation with
    /// Swift dictionaries of index arrays, for every layer and both conventions.
    @Test func randomNetworksMatchADirectComputation() throws {
        var bits: [Float] = []
        for row in 0..<4096 {
            for bit in 0..<12 { bits.append(Float((row >> (11 - bit)) & 1)) }
        }
        let inputs = Tensor(shape: [4096, 12], scalars: bits)
        var rng = SeededRNG(seed: 3)
        let labels = (0..<4096).map { _ in Int32(rng.int(below: 2)) }
        let model = try Sequential.mlp(inputSize: 12, widths: [10, 7, 5, 4, 3], classes: 2, activation: .tanh,
                                       initializer: .truncatedNormalFanIn, rng: SeededRNG(seed: 9))
        for trace in model.forward(inputs).dropLast() {
            for estimator in [BinnedEstimator(.intervals(30)), BinnedEstimator(.edges(50)), BinnedEstimator(.width(0.07))] {
                let ours = estimator.estimate(trace.output, labels: labels)
                let width = trace.output.rowSize
                func bin(_ v: Float) -> Int {
                    switch estimator.binning {
                    case .intervals(let n): return min(n - 1, max(0, Int(floor((Double(v) + 1) / 2 * Double(n)))))
                    case .edges(let n):
                        let edges = (0..<n).map { $0 == n - 1 ? 1.0 : -1 + Double($0) * 2 / Double(n - 1) }
                        let k = edges.filter { $0 <= Double(v) }.count - 1
                        return k < 0 ? n - 1 : k
                    case .width(let w): return Int(floor(Double(v) / w))
                    }
                }
                var all: [[Int]: Int] = [:], byClass: [Int32: [[Int]: Int]] = [:]
                for r in 0..<4096 {
                    let key = (0..<width).map { bin(trace.output.scalars[r * width + $0]) }
                    all[key, default: 0] += 1
                    byClass[labels[r], default: [:]][key, default: 0] += 1
                }
                func entropy(_ counts: [[Int]: Int]) -> Double {
                    let n = Double(counts.values.reduce(0, +))
                    return -counts.values.reduce(0.0) { $0 + Double($1) / n * log2(Double($1) / n) }
                }
                let ht = entropy(all)
                let conditional = byClass.values.reduce(0.0) { $0 + Double($1.values.reduce(0, +)) / 4096 * entropy($1) }
                #expect(ours.ixt.isApproximatelyEqual(to: ht, absoluteTolerance: 1e-9))
                #expect(ours.ity.isApproximatelyEqual(to: (ht - conditional), absoluteTolerance: 1e-9))
            }
        }
    }

    @Test func wideLayersHashExactly() {
        // 40 units × 5 bits do not fit 64 bits: the byte-string path.
        var rng = SeededRNG(seed: 4)
        let n = 500
        let base = (0..<(50 * 40)).map { _ in rng.uniform(-1, 1) }
        // 500 rows that repeat 50 distinct patterns: H(T) = log2(50).
        var rows: [Float] = []
        for r in 0..<n {
            let pattern = r % 50
            rows += base[(pattern * 40)..<((pattern + 1) * 40)]
        }
        let result = BinnedEstimator(.intervals(30)).estimate(Tensor(shape: [n, 40], scalars: rows), labels: [Int32](repeating: 0, count: n))
        #expect(result.ixt.isApproximatelyEqual(to: log2(50), absoluteTolerance: 1e-12))
        #expect(result.ity == 0)
    }
}
