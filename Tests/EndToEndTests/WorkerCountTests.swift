import Analysis
import Embedding
import Foundation
import Information
import Networks
import Recording
import Tensor
import Testing
import TestSupport

/// Results never depend on how many workers compute them: the parallel kernels cut work
/// into ranges that never share an output, and every reduction runs in a fixed order.
/// Each computation runs with 1 and with 2 workers (``Parallel/withWorkers(_:_:)``) and
/// must give the same bits.
@Suite("Worker counts do not change results")
struct WorkerCountTests {
    func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededRNG(seed: seed)
        return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in rng.uniform() * 2 - 1 })
    }

    /// `body` run with 1 worker and with 2 workers.
    func both<T>(_ body: () throws -> T) rethrows -> (T, T) {
        (try Parallel.withWorkers(1, body), try Parallel.withWorkers(2, body))
    }

    @Test func convolutionForwardAndBackward() throws {
        var rng = SeededRNG(seed: 3)
        let model = try Sequential(inputShape: [12, 12, 3], layers: [
            Conv2D(name: "conv1", kernelSize: (3, 3), inputChannels: 3, outputChannels: 10, padding: 1, activation: .relu, rng: &rng),
            MaxPool2D(name: "pool1"),
            Conv2D(name: "conv2", kernelSize: (3, 3), inputChannels: 10, outputChannels: 9, activation: .relu, rng: &rng),
            Flatten(name: "flatten"),
            Dense(name: "output", inputSize: 4 * 4 * 9, outputSize: 5, rng: &rng),
        ])
        let x = random([64, 12, 12, 3], seed: 4)
        let (one, two) = both { () -> [[Float]] in
            let traces = model.forward(x)
            let gradients = model.backward(traces[traces.count - 1].output, traces: traces).parameters
            return traces.map(\.output.scalars) + gradients.flatMap { $0.map(\.scalars) }
        }
        #expect(one == two)
    }

    @Test func estimators() {
        let t = random([700, 5], seed: 5)
        let labels = (0..<700).map { Int32($0 % 3) }
        let (kde1, kde2) = both { KDEEstimator(noiseVariance: 0.1).estimate(t, labels: labels) }
        #expect(kde1 == kde2)
        let (knn1, knn2) = both { KNNEntropyEstimator(k: 3).estimate(t, labels: labels) }
        #expect(knn1 == knn2)
    }

    @Test func tsne() throws {
        let x = random([300, 6], seed: 6)
        let (one, two) = try both { try TSNE(perplexity: 10, iterations: 60, earlyIterations: 30).embed(x) }
        #expect(one.points == two.points && one.klDivergence == two.klDivergence)
    }

    @Test func analysisOfARun() throws {
        let dir = TestSupport.temporaryDirectory("workers")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("w.yaml").path
        try """
        name: w
        data: {source: mat, path: \(TestSupport.dataFile("var_u.mat"))}
        model: {widths: [8, 5, 3], activation: tanh}
        training: {epochs: 30, batch_size: 256, optimizer: {kind: adam, learning_rate: 0.001}}
        recording: {schedule: {every: 10}}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let trained = try TestSupport.run(TestSupport.product("infoplane"), ["train", config, "-q", "--results", dir.path])
        #expect(trained.status == 0, "\(trained.stderr)")
        let path = dir.appendingPathComponent("w/run-1.h5").path
        let estimators: [EstimatorSpec] = [.binning(.intervals(30), .fixed(-1, 1)), .kde(variance: 0.1, upper: true, lower: true),
                                           .knn(k: 3), .ksg(k: 3)]
        let (one, two) = try both { try RunAnalysis.analyze(RunFile.open(path), estimators: estimators) }
        #expect(one.ixt == two.ixt && one.ity == two.ity && one.snr == two.snr)
    }
}
