import Datasets
import Embedding
import Foundation
import Tensor
import TestSupport
import Testing
import RealModule

/// t-SNE against openTSNE on the first 1000 Fashion-MNIST test images
/// (Fixtures/make_tsne_reference.py), and its building blocks.
@Suite("t-SNE", .serialized)
struct TSNETests {
    struct Reference: Decodable {
        struct Run: Decodable { var trustworthiness: Double; var preservation: Double; var embedding: [Double] }
        var n: Int
        var k: Int
        var bh: Run
        var fft: Run
    }

    static let reference = Result {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: TestSupport.root.appendingPathComponent("Tests/ExplanationsTests/Fixtures/tsne_reference.json")))
    }

    static let images = Result {
        let test = try DatasetLoaders.mnistFolder("/usr/share/datasets/fashion-mnist", split: .test)
        let x = test.inputs.rows(0..<1000)
        return Tensor(shape: [1000, x.rowSize], scalars: x.scalars)
    }

    /// Our trustworthiness of openTSNE's embedding equals scikit-learn's.
    @Test func trustworthinessMatchesScikitLearn() throws {
        let reference = try Self.reference.get()
        let x = try Self.images.get()
        let points = stride(from: 0, to: reference.bh.embedding.count, by: 2).map { SIMD2(reference.bh.embedding[$0], reference.bh.embedding[$0 + 1]) }
        let t = EmbeddingQuality.trustworthiness(data: x, embedding: points, k: reference.k)
        #expect(t.isApproximatelyEqual(to: reference.bh.trustworthiness, absoluteTolerance: 1e-6), "ours \(t), scikit-learn \(reference.bh.trustworthiness)")
        let kept = EmbeddingQuality.neighbourPreservation(data: x, embedding: points, k: reference.k)
        #expect(kept.isApproximatelyEqual(to: reference.bh.preservation, absoluteTolerance: 2e-3), "ours \(kept), reference \(reference.bh.preservation)")
    }

    /// Exact and Barnes–Hut embeddings keep neighbourhoods as well as openTSNE's, within
    /// 0.01 trustworthiness and 0.05 10-NN preservation.
    @Test(arguments: [2500, 0])
    func qualityMatchesOpenTSNE(exactLimit: Int) throws {
        let reference = try Self.reference.get()
        let x = try Self.images.get()
        let embedding = try TSNE(exactLimit: exactLimit).embed(x)
        #expect(embedding.exact == (exactLimit > 0))
        let t = EmbeddingQuality.trustworthiness(data: x, embedding: embedding.points, k: reference.k)
        let kept = EmbeddingQuality.neighbourPreservation(data: x, embedding: embedding.points, k: reference.k)
        #expect(t > reference.bh.trustworthiness - 0.01, "trustworthiness \(t) against openTSNE \(reference.bh.trustworthiness)")
        #expect(kept > reference.bh.preservation - 0.05, "10-NN preservation \(kept) against openTSNE \(reference.bh.preservation)")
        #expect(embedding.klDivergence.isFinite && embedding.klDivergence > 0)
    }

    /// Same seed and data, same embedding; a sequence starts each epoch from the last,
    /// so a slowly changing representation keeps its layout from epoch to epoch.
    @Test func sequenceIsAlignedAndReproducible() throws {
        var rng = SeededRNG(seed: 3)
        // Two blobs of fixed points that drift apart and get a little noise each "epoch".
        let base = (0..<600).map { _ in rng.uniform(-1, 1) }
        let epochs = (0..<3).map { e -> Tensor in
            Tensor(shape: [120, 5], scalars: base.enumerated().map { i, v in v + 0.05 * rng.uniform(-1, 1) + (i / 5 < 60 ? 0 : Float(4 + e)) })
        }
        let tsne = TSNE(perplexity: 10, iterations: 200, earlyIterations: 100)
        let a = try tsne.sequence(epochs), b = try tsne.sequence(epochs)
        #expect(a.count == 3 && a[2].points == b[2].points)
        // Aligned: consecutive embeddings are strongly correlated, coordinate by coordinate
        // (independent embeddings could come out rotated or mirrored).
        for (first, second) in zip(a, a.dropFirst()) {
            let p = first.points, q = second.points
            let dot = zip(p, q).reduce(0.0) { $0 + ($1.0 * $1.1).sum() }
            let norms = (p.reduce(0.0) { $0 + ($1 * $1).sum() } * q.reduce(0.0) { $0 + ($1 * $1).sum() }).squareRoot()
            #expect(dot / norms > 0.8, "correlation \(dot / norms)")
        }
        // The two blobs are separated in every embedding.
        for e in a {
            let left = e.points[..<60].reduce(SIMD2<Double>.zero, +) / 60, right = e.points[60...].reduce(SIMD2<Double>.zero, +) / 60
            #expect(((left - right) * (left - right)).sum().squareRoot() > 5)
        }
        #expect(throws: EmbeddingError.self) { try TSNE().embed(Tensor(shape: [3, 2], repeating: 0)) }
    }

    /// The block-wise neighbour search equals a brute-force one over all pairs (in
    /// Double), across block edges and with ties resolved by the lower index.
    @Test func neighboursOfBlocksEqualBruteForce() {
        var rng = SeededRNG(seed: 11)
        let n = TSNE.blockRows * 2 + 37, d = 7, k = 12
        // Values on a coarse grid so that ties occur.
        let x = Tensor(shape: [n, d], scalars: (0..<(n * d)).map { _ in Float(Int(rng.uniform(0, 4))) })
        let found = TSNE.nearestNeighbours(x, k: k)
        for i in [0, 1, TSNE.blockRows - 1, TSNE.blockRows, n - 1] {
            let distances = (0..<n).map { j in (0..<d).reduce(0.0) { $0 + Double(x.scalars[i * d + $1] - x.scalars[j * d + $1]) * Double(x.scalars[i * d + $1] - x.scalars[j * d + $1]) } }
            let expected = (0..<n).filter { $0 != i }.sorted { (distances[$0], $0) < (distances[$1], $1) }.prefix(k)
            #expect(found.indices[i] == Array(expected), "row \(i)")
            #expect(found.distances[i] == expected.map { distances[$0] }, "row \(i)")
        }
    }

    /// A t-SNE beyond the memory budget is refused with the numbers before anything is
    /// allocated (10 million points would need ~100 GiB of neighbour lists).
    @Test func embeddingsBeyondTheMemoryBudgetAreRefused() {
        let tsne = TSNE()
        #expect(tsne.memoryBytes(points: 2500, dimensions: 10) == 2500 * 10 * 4 + 2500 * 2500 * 24)
        #expect(tsne.memoryBytes(points: 10_000_000, dimensions: 1) > MemoryBudget.bytes)
        do {
            _ = try tsne.embed(Tensor(shape: [10_000_000, 1], repeating: 0))
            Issue.record("10 million points were embedded")
        } catch {
            #expect(error.description.contains("t-SNE of 10000000 points (1 values each) needs about"), "\(error)")
            #expect(error.description.contains("embed fewer samples"))
        }
    }
}
