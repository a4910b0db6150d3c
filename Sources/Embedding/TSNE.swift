import Foundation
import RealModule
import Tensor

/// t-distributed stochastic neighbour embedding (van der Maaten & Hinton 2008, JMLR 9)
/// of a layer's activations into the plane, with openTSNE's defaults.
///
/// - Affinities: p_{j|i} ∝ exp(−β_i ‖x_i − x_j‖²), β_i found by bisection so that the
///   perplexity 2^{H(P_i)} (H in bits; equivalently e^{H} in nats) equals `perplexity`;
///   P_ij = (p_{j|i} + p_{i|j}) / 2N. Exact over all pairs up to `exactLimit` points,
///   otherwise over the ⌊3·perplexity⌋ nearest neighbours (van der Maaten 2014).
/// - Initialisation: the first two principal components, scaled so that the first has
///   standard deviation 1e-4 (openTSNE's `initialization="pca"`), or a given embedding.
/// - Optimisation: KL(P‖Q) with Student-t q_ij ∝ (1 + ‖y_i − y_j‖²)⁻¹ by gradient descent
///   with momentum and per-coordinate gains (Jacobs 1988): `earlyIterations` (250) at
///   exaggeration 12 and momentum 0.5, then `iterations` (500) at exaggeration 1 and
///   momentum 0.8; learning rate max(N/12, 50) ("auto"). The gradient is
///   4 Σ_j (α p_ij − q_ij)(y_i − y_j)(1 + ‖y_i − y_j‖²)⁻¹: exact (O(N²) per iteration) up to
///   `exactLimit` points, Barnes–Hut (van der Maaten 2014; quadtree, θ = 0.5,
///   O(N log N)) beyond.
public struct TSNE: Sendable {
    public var perplexity: Double = 30
    public var earlyIterations = 250
    public var earlyExaggeration: Double = 12
    public var iterations = 500
    /// The most iterations a caller may ask for (the default is 500).
    public static let maximumIterations = 10_000
    public var learningRate: Double?
    public var theta: Double = 0.5
    public var exactLimit = 2500
    public var seed: UInt64 = 0

    public init(perplexity: Double = 30, iterations: Int = 500, earlyIterations: Int = 250, exactLimit: Int = 2500, seed: UInt64 = 0) {
        self.perplexity = perplexity
        self.iterations = iterations
        self.earlyIterations = earlyIterations
        self.exactLimit = exactLimit
        self.seed = seed
    }

    /// The result: `[N][2]` coordinates and the final KL divergence (nats; for
    /// Barnes–Hut over the neighbour affinities, with the approximated normaliser).
    public struct Embedding: Sendable {
        public var points: [SIMD2<Double>]
        public var klDivergence: Double
        public var exact: Bool
    }

    /// Sparse symmetric affinities: for each i, neighbours and P_ij (rows sum to the
    /// symmetrised mass; Σ_ij P_ij = 1).
    package struct Affinities {
        var neighbours: [[Int32]]
        var values: [[Double]]
    }

    /// - Parameters:
    ///   - data: `[N, features...]`, flattened per row.
    ///   - initial: start from this embedding (N points) instead of PCA, rescaled like
    ///     the PCA start (standard deviation 1e-4 along the first axis) so that early
    ///     exaggeration can still reorganise it while it keeps its arrangement
    ///     (openTSNE's advice for aligned embeddings: `initialization.rescale`). Without
    ///     the rescaling and the exaggeration phase, an embedding started from a distant
    ///     epoch stays stuck (KL 2.5 against 0.6 on var_u's hidden5, epoch 0 → 2998).
    public func embed(_ data: Tensor, initial: [SIMD2<Double>]? = nil) throws(EmbeddingError) -> Embedding {
        let n = data.rows
        guard n >= 4 else { throw EmbeddingError("t-SNE needs at least 4 points (got \(n))") }
        guard perplexity >= 1, perplexity < Double(n - 1), Double(n - 1) > 3 * perplexity || n <= exactLimit else {
            throw EmbeddingError("perplexity \(perplexity) does not fit \(n) points (needs 1 ≤ perplexity < N − 1, and N − 1 > 3·perplexity beyond \(exactLimit) points)")
        }
        guard iterations >= 0, earlyIterations >= 0 else { throw EmbeddingError("t-SNE iterations must not be negative") }
        if let initial, initial.count != n { throw EmbeddingError("initial embedding has \(initial.count) points for \(n)") }
        let exact = n <= exactLimit
        if let shortfall = MemoryBudget.shortfall(memoryBytes(points: n, dimensions: data.rowSize), for: "t-SNE of \(n) points (\(data.rowSize) values each)") {
            throw EmbeddingError(shortfall + "; embed fewer samples")
        }
        let denseP = exact ? dense(TSNE.squaredDistances(data), n: n) : []
        let affinities = exact ? Affinities(neighbours: [], values: []) : sparse(TSNE.nearestNeighbours(data, k: min(n - 1, Int(3 * perplexity))))
        var y = initial.map(TSNE.rescaled) ?? TSNE.pca(data)
        let rate = learningRate ?? max(Double(n) / earlyExaggeration, 50)
        var velocity = [SIMD2<Double>](repeating: .zero, count: n)
        var gains = [SIMD2<Double>](repeating: SIMD2(1, 1), count: n)
        let phases: [(count: Int, exaggeration: Double, momentum: Double)] = [(earlyIterations, earlyExaggeration, 0.5), (iterations, 1, 0.8)]
        for phase in phases {
            for _ in 0..<phase.count {
                let gradient = exact ? exactGradient(y, denseP, exaggeration: phase.exaggeration)
                                     : barnesHutGradient(y, affinities, exaggeration: phase.exaggeration).gradient
                for i in 0..<n {
                    for c in 0..<2 {
                        let sameSign = (gradient[i][c] > 0) == (velocity[i][c] > 0)
                        gains[i][c] = max(sameSign ? gains[i][c] * 0.8 : gains[i][c] + 0.2, 0.01)
                        velocity[i][c] = phase.momentum * velocity[i][c] - rate * gains[i][c] * gradient[i][c]
                    }
                    y[i] += velocity[i]
                }
                // Keep the embedding centred.
                let mean = y.reduce(SIMD2<Double>.zero, +) / Double(n)
                for i in 0..<n { y[i] -= mean }
            }
        }
        let kl = exact ? exactKL(y, denseP) : barnesHutGradient(y, affinities, exaggeration: 1, computeKL: true).kl
        return Embedding(points: y, klDivergence: kl, exact: exact)
    }

    /// Centred and scaled to standard deviation 1e-4 along the first axis.
    package static func rescaled(_ points: [SIMD2<Double>]) -> [SIMD2<Double>] {
        let mean = points.reduce(SIMD2<Double>.zero, +) / Double(max(points.count, 1))
        let centred = points.map { $0 - mean }
        let std = (centred.reduce(0) { $0 + $1.x * $1.x } / Double(max(points.count, 1))).squareRoot()
        return std > 0 ? centred.map { $0 / std * 1e-4 } : centred
    }

    /// One embedding per epoch, each initialised with the previous one (the first from
    /// PCA) and then rotated or reflected onto it (orthogonal Procrustes about the
    /// centroids), so that points keep their place unless the representation moves them.
    public func sequence(_ layers: [Tensor]) throws(EmbeddingError) -> [Embedding] {
        var result: [Embedding] = []
        for layer in layers {
            var embedding = try embed(layer, initial: result.last?.points)
            if let previous = result.last?.points { embedding.points = TSNE.aligned(embedding.points, to: previous) }
            result.append(embedding)
        }
        return result
    }

    /// `points` centred, then turned by the rotation or reflection that brings them
    /// closest to `target` (centred) in the least-squares sense; t-SNE's objective does
    /// not change under either.
    package static func aligned(_ points: [SIMD2<Double>], to target: [SIMD2<Double>]) -> [SIMD2<Double>] {
        func centred(_ p: [SIMD2<Double>]) -> [SIMD2<Double>] {
            let mean = p.reduce(SIMD2<Double>.zero, +) / Double(max(p.count, 1))
            return p.map { $0 - mean }
        }
        let a = centred(points), b = centred(target)
        var best = a, bestResidual = Double.infinity
        for mirror in [false, true] {
            let m = mirror ? a.map { SIMD2($0.x, -$0.y) } : a
            // The best rotation angle: atan2(Σ m × b, Σ m · b).
            let cross = zip(m, b).reduce(0.0) { $0 + $1.0.x * $1.1.y - $1.0.y * $1.1.x }
            let dot = zip(m, b).reduce(0.0) { $0 + ($1.0 * $1.1).sum() }
            let angle = Double.atan2(y: cross, x: dot)
            let (c, s) = (Double.cos(angle), Double.sin(angle))
            let turned = m.map { SIMD2(c * $0.x - s * $0.y, s * $0.x + c * $0.y) }
            let residual = zip(turned, b).reduce(0.0) { $0 + (($1.0 - $1.1) * ($1.0 - $1.1)).sum() }
            if residual < bestResidual {
                best = turned
                bestResidual = residual
            }
        }
        return best
    }

    // MARK: Affinities

    /// ‖x_i − x_j‖² `[N][N]` through one GEMM (x·xᵀ) in Float, accumulated in Double.
    package static func squaredDistances(_ data: Tensor) -> [Double] {
        let n = data.rows, d = data.rowSize
        let gram = data.reshaped([n, d]).matmul(data.reshaped([n, d]), transposeOther: true)
        var norms = [Double](repeating: 0, count: n)
        for i in 0..<n { norms[i] = Double(gram.scalars[i * n + i]) }
        var result = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n where j != i { result[i * n + j] = max(norms[i] + norms[j] - 2 * Double(gram.scalars[i * n + j]), 0) }
        }
        return result
    }

    /// The conditional distribution of row i over `candidates` with entropy log(perplexity).
    package func conditional(_ distances: ArraySlice<Double>) -> [Double] {
        let target = Double.log(perplexity)
        let minimum = distances.min() ?? 0
        var beta = 1.0, low = 0.0, high = Double.infinity
        var p = [Double](repeating: 0, count: distances.count)
        for _ in 0..<200 {
            var sum = 0.0, weighted = 0.0
            for (k, value) in distances.enumerated() {
                // Shifted by the minimum distance for stability (cancels in the normalisation).
                let e = Double.exp(-beta * (value - minimum))
                p[k] = e
                sum += e
                weighted += e * (value - minimum)
            }
            let entropy = Double.log(sum) + beta * weighted / sum
            for k in p.indices { p[k] /= sum }
            if abs(entropy - target) < 1e-6 { break }
            if entropy > target {
                low = beta
                beta = high.isFinite ? (beta + high) / 2 : beta * 2
            } else {
                high = beta
                beta = (beta + low) / 2
            }
        }
        return p
    }

    /// P over all pairs as a dense `[N, N]` matrix with zero diagonal.
    package func dense(_ distances: [Double], n: Int) -> [Float] {
        let slots = ConcurrentSlots<(Int, [Double])>(count: n)
        Parallel.forEachRange(n, minimumPerWorker: 64) { rows in
            for i in rows {
                let others = (0..<n).lazy.filter { $0 != i }.map { distances[i * n + $0] }
                slots.set(i, (i, self.conditional(ArraySlice(others))))
            }
        }
        // Row i of the conditionals skips column i: j sits at j − 1 when j > i.
        var conditional = [[Double]](repeating: [], count: n)
        for (i, row) in slots.values { conditional[i] = row }
        var matrix = [Float](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n where j != i {
                let pji = conditional[i][j > i ? j - 1 : j], pij = conditional[j][i > j ? i - 1 : i]
                matrix[i * n + j] = Float((pji + pij) / (2 * Double(n)))
            }
        }
        return matrix
    }

    /// Sparse affinities over each point's nearest neighbours (``nearestNeighbours(_:k:)``).
    package func sparse(_ nearest: (indices: [[Int]], distances: [[Double]])) -> Affinities {
        let n = nearest.indices.count
        let slots = ConcurrentSlots<(Int, [Double])>(count: n)
        Parallel.forEachRange(n, minimumPerWorker: 64) { rows in
            for i in rows { slots.set(i, (i, self.conditional(nearest.distances[i][...]))) }
        }
        let near = nearest.indices
        var conditional = [[Double]](repeating: [], count: n)
        for (i, p) in slots.values { conditional[i] = p }
        // Symmetrise: P_ij = (p_{j|i} + p_{i|j}) / 2N over the union of neighbour lists.
        var maps = [[Int: Double]](repeating: [:], count: n)
        for i in 0..<n {
            for (position, j) in near[i].enumerated() {
                let value = conditional[i][position] / (2 * Double(n))
                maps[i][j, default: 0] += value
                maps[j][i, default: 0] += value
            }
        }
        var neighbours: [[Int32]] = [], values: [[Double]] = []
        for i in 0..<n {
            let keys = maps[i].keys.sorted()
            neighbours.append(keys.map(Int32.init))
            values.append(keys.map { maps[i][$0]! })
        }
        return Affinities(neighbours: neighbours, values: values)
    }

    // MARK: Gradients

    /// The exact gradient, rows split across cores, in Float with relaxed (vectorisable)
    /// sums: first Z = Σ_{i≠j} w_ij with w_ij = (1 + ‖y_i − y_j‖²)⁻¹, then
    /// 4 Σ_j (α P_ij − w_ij/Z) w_ij (y_i − y_j) from the dense P `[N, N]` (zero diagonal).
    /// - Complexity: O(N²) per call, in two passes.
    package func exactGradient(_ y: [SIMD2<Double>], _ p: [Float], exaggeration: Double) -> [SIMD2<Double>] {
        let n = y.count
        let xs = y.map { Float($0.x) }, ys = y.map { Float($0.y) }
        // Per row, written only by the worker that owns the row; summed in row order.
        var partialZ = [Double](repeating: 0, count: n)
        Parallel.forEachRange(n, minimumPerWorker: 64, writing: &partialZ, stride: 1) { rows, out in
            xs.withUnsafeBufferPointer { px in
                ys.withUnsafeBufferPointer { py in
                    for i in rows {
                        let xi = px[i], yi = py[i]
                        var z: Float = 0
                        for j in 0..<n {
                            let dx = xi - px[j], dy = yi - py[j]
                            z = Relaxed.sum(z, 1 / (1 + dx * dx + dy * dy))
                        }
                        out[i &- rows.lowerBound] = Double(z) - 1        // without j = i, whose w is 1
                    }
                }
            }
        }
        let z = partialZ.reduce(0, +)
        let inverseZ = Float(1 / z), alpha = Float(exaggeration)
        var gradient = [SIMD2<Double>](repeating: .zero, count: n)
        Parallel.forEachRange(n, minimumPerWorker: 64, writing: &gradient, stride: 1) { rows, out in
            xs.withUnsafeBufferPointer { px in
                ys.withUnsafeBufferPointer { py in
                    p.withUnsafeBufferPointer { affinity in
                        for i in rows {
                            let xi = px[i], yi = py[i], row = i &* n
                            var gx: Float = 0, gy: Float = 0
                            for j in 0..<n {
                                let dx = xi - px[j], dy = yi - py[j]
                                let w = 1 / (1 + dx * dx + dy * dy)
                                let m = (alpha * affinity[row &+ j] - w * inverseZ) * w
                                gx = Relaxed.sum(gx, m * dx)
                                gy = Relaxed.sum(gy, m * dy)
                            }
                            out[i &- rows.lowerBound] = SIMD2(4 * Double(gx), 4 * Double(gy))
                        }
                    }
                }
            }
        }
        return gradient
    }

    /// KL(P‖Q) in nats over all pairs, in Double. - Complexity: O(N²).
    package func exactKL(_ y: [SIMD2<Double>], _ p: [Float]) -> Double {
        let n = y.count
        var z = 0.0
        for i in 0..<n { for j in 0..<n where j != i { let d = y[i] - y[j]; z += 1 / (1 + (d * d).sum()) } }
        var kl = 0.0
        for i in 0..<n {
            for j in 0..<n where j != i && p[i * n + j] > 0 {
                let d = y[i] - y[j], pij = Double(p[i * n + j])
                kl += pij * Double.log(pij * z * (1 + (d * d).sum()))
            }
        }
        return kl
    }

    /// The Barnes–Hut gradient: attraction over the sparse P, repulsion from a quadtree.
    package func barnesHutGradient(_ y: [SIMD2<Double>], _ p: Affinities, exaggeration: Double, computeKL: Bool = false) -> (gradient: [SIMD2<Double>], kl: Double) {
        let n = y.count
        let tree = QuadTree(y)
        // The tree is read-only: each point's walk runs on any core.
        let slots = ConcurrentSlots<(Int, SIMD2<Double>, Double)>(count: n)
        Parallel.forEachRange(n, minimumPerWorker: 256) { rows in
            for i in rows {
                let (force, z) = tree.repulsion(on: y[i], theta: theta)
                slots.set(i, (i, force, z))
            }
        }
        var repulsion = [SIMD2<Double>](repeating: .zero, count: n)
        var z = 0.0
        for (i, force, part) in slots.values {
            repulsion[i] = force
            z += part
        }
        var gradient = [SIMD2<Double>](repeating: .zero, count: n)
        var kl = 0.0
        for i in 0..<n {
            var attraction = SIMD2<Double>.zero
            for (k, j32) in p.neighbours[i].enumerated() {
                let j = Int(j32)
                let diff = y[i] - y[j]
                let wij = 1 / (1 + (diff * diff).sum())
                attraction += exaggeration * p.values[i][k] * wij * diff
                if computeKL && p.values[i][k] > 0 { kl += p.values[i][k] * Double.log(p.values[i][k] / max(wij / z, 1e-300)) }
            }
            gradient[i] = 4 * (attraction - repulsion[i] / z)
        }
        return (gradient, kl)
    }

    // MARK: Initialisation

    /// The first two principal components (power iteration with deflation on the
    /// covariance), scaled so the first has standard deviation 1e-4; deterministic.
    package static func pca(_ data: Tensor) -> [SIMD2<Double>] {
        let n = data.rows, d = data.rowSize
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for k in 0..<d { mean[k] += Double(data.scalars[i * d + k]) } }
        for k in 0..<d { mean[k] /= Double(n) }
        var centred = Tensor(shape: [n, d], scalars: data.scalars)
        for i in 0..<n { for k in 0..<d { centred.scalars[i * d + k] -= Float(mean[k]) } }
        let covariance = centred.matmul(centred, transposeSelf: true)      // [d, d]
        var components: [[Double]] = []
        for c in 0..<2 {
            var v = (0..<d).map { Double(($0 * 7919 + c * 104729) % 1009) / 1009 - 0.5 }
            for _ in 0..<300 {
                var next = [Double](repeating: 0, count: d)
                for r in 0..<d {
                    var s = 0.0
                    for k in 0..<d { s += Double(covariance.scalars[r * d + k]) * v[k] }
                    next[r] = s
                }
                for previous in components {
                    let dot = zip(next, previous).reduce(0) { $0 + $1.0 * $1.1 }
                    for k in 0..<d { next[k] -= dot * previous[k] }
                }
                let norm = next.reduce(0) { $0 + $1 * $1 }.squareRoot()
                guard norm > 0 else { break }
                v = next.map { $0 / norm }
            }
            // A sign convention: the largest coordinate positive.
            if let index = v.indices.max(by: { abs(v[$0]) < abs(v[$1]) }), v[index] < 0 { v = v.map { -$0 } }
            components.append(v)
        }
        var points = (0..<n).map { i -> SIMD2<Double> in
            var p = SIMD2<Double>.zero
            for k in 0..<d {
                let x = Double(centred.scalars[i * d + k])
                p.x += x * components[0][k]
                p.y += x * components[1][k]
            }
            return p
        }
        let std = (points.reduce(0) { $0 + $1.x * $1.x } / Double(n)).squareRoot()
        if std > 0 { points = points.map { $0 / std * 1e-4 } }
        return points
    }
}
