import Diagnostics
import RealModule
import Tensor

/// The information bottleneck of a discrete joint distribution p(x, y): the encoders
/// p(t|x) that minimise I(X;T) − β·I(T;Y) (Tishby, Pereira & Bialek 1999), found with the
/// iterative IB algorithm, and the curve they trace as β grows (deterministic annealing).
///
/// One iteration at fixed β (all sums over x, natural logarithms inside, bits outside):
///
///     p(t)   = Σₓ p(x) p(t|x)
///     p(y|t) = Σₓ p(x, y) p(t|x) / p(t)
///     p(t|x) ∝ p(t) · exp(−β · D_KL[p(y|x) ‖ p(y|t)])
///
/// repeated until no p(t|x) changes by more than `tolerance`. Annealing starts at the
/// smallest β with every x sharing one cluster (up to a seeded perturbation that lets
/// clusters split), and starts each larger β from the encoder of the one before, so the
/// encoder follows one branch of solutions; points off the upper envelope (a branch that
/// did not split when it should) are dropped by ``curve(betas:clusters:seed:)``.
///
/// Units: bits. Convention: at the optimum the curve's slope dI(T;Y)/dI(X;T) is 1/β; no
/// β below 1/ρ²ₘₐₓ (ρₘₐₓ the largest non-trivial singular value of the matrix
/// p(x,y)/√(p(x)p(y))) moves T off the trivial solution.
///
/// For a deterministic rule y = f(x) the curve is the straight line I(T;Y) = I(X;T) up to
/// H(Y) and flat after (Kolchinsky, Tracey & Van Kuyk 2019): the Lagrangian reaches only
/// its two corners, T = const for β < 1 and T = f(X) for β > 1, and no β describes the
/// points between. ``deterministicCurve(hy:at:)`` gives that line.
public struct InformationBottleneck: Sendable {
    public struct Point: Sendable, Equatable {
        public var beta: Double
        public var ixt: Double
        public var ity: Double
        /// Clusters t with p(t) > 1e-9 at this β.
        public var clusters: Int
    }

    /// `[x][y]`, summing to 1.
    public let joint: [[Double]]
    let px: [Double]
    let py: [Double]
    /// p(y|x), `[x][y]`.
    let conditional: [[Double]]

    /// - Throws: ``DistributionError`` when the table is empty, ragged, negative or does not
    ///   sum to 1 (within 1e-9).
    public init(joint: [[Double]]) throws(DistributionError) {
        guard let width = joint.first?.count, width > 0, joint.allSatisfy({ $0.count == width }) else {
            throw DistributionError("the joint distribution must be a non-empty [x][y] table")
        }
        guard joint.allSatisfy({ $0.allSatisfy { $0 >= 0 && $0.isFinite } }) else { throw DistributionError("the joint distribution has negative or non-finite entries") }
        let total = joint.reduce(0) { $0 + $1.reduce(0, +) }
        guard abs(total - 1) < 1e-9 else { throw DistributionError("the joint distribution sums to \(total), not 1") }
        self.joint = joint
        let marginal = joint.map { $0.reduce(0, +) }
        px = marginal
        py = (0..<width).map { y in joint.reduce(0) { $0 + $1[y] } }
        conditional = joint.enumerated().map { x, row in marginal[x] > 0 ? row.map { $0 / marginal[x] } : row.map { _ in 1 / Double(width) } }
    }

    /// H(Y) in bits.
    public var hy: Double { -py.filter { $0 > 0 }.reduce(0) { $0 + $1 * Double.log2($1) } }
    /// H(X) in bits.
    public var hx: Double { -px.filter { $0 > 0 }.reduce(0) { $0 + $1 * Double.log2($1) } }

    /// I(X;T) and I(T;Y) in bits of an encoder `[x][t]`.
    public func information(_ encoder: [[Double]]) -> (ixt: Double, ity: Double, clusters: Int) {
        let clusters = encoder.first?.count ?? 0
        var pt = [Double](repeating: 0, count: clusters)
        var pty = [[Double]](repeating: [Double](repeating: 0, count: py.count), count: clusters)
        for x in encoder.indices {
            for t in 0..<clusters {
                pt[t] += px[x] * encoder[x][t]
                for y in py.indices { pty[t][y] += joint[x][y] * encoder[x][t] }
            }
        }
        var ixt = 0.0, ity = 0.0
        for x in encoder.indices where px[x] > 0 {
            for t in 0..<clusters where encoder[x][t] > 0 && pt[t] > 0 { ixt += px[x] * encoder[x][t] * Double.log2(encoder[x][t] / pt[t]) }
        }
        for t in 0..<clusters where pt[t] > 0 {
            for y in py.indices where pty[t][y] > 0 && py[y] > 0 { ity += pty[t][y] * Double.log2(pty[t][y] / (pt[t] * py[y])) }
        }
        return (max(0, ixt), max(0, ity), pt.filter { $0 > 1e-9 }.count)
    }

    /// Iterates the self-consistent equations at `beta` from `encoder` (`[x][t]`, rows
    /// summing to 1) until the largest change is below `tolerance`.
    /// - Complexity: O(|X|·|T|·|Y|) per iteration.
    public func iterate(beta: Double, from encoder: [[Double]], tolerance: Double = 1e-10, maxIterations: Int = 5000) -> [[Double]] {
        var q = encoder
        let clusters = encoder.first?.count ?? 0
        for _ in 0..<maxIterations {
            var pt = [Double](repeating: 0, count: clusters)
            var pyt = [[Double]](repeating: [Double](repeating: 0, count: py.count), count: clusters)
            for x in q.indices {
                for t in 0..<clusters {
                    pt[t] += px[x] * q[x][t]
                    for y in py.indices { pyt[t][y] += joint[x][y] * q[x][t] }
                }
            }
            for t in 0..<clusters where pt[t] > 0 { for y in py.indices { pyt[t][y] /= pt[t] } }
            var change = 0.0
            for x in q.indices {
                var logits = [Double](repeating: -.infinity, count: clusters)
                for t in 0..<clusters where pt[t] > 1e-300 {
                    var divergence = 0.0
                    for y in py.indices where conditional[x][y] > 0 {
                        divergence += conditional[x][y] * (Double.log(conditional[x][y]) - Double.log(max(pyt[t][y], 1e-300)))
                    }
                    logits[t] = Double.log(pt[t]) - beta * divergence
                }
                let top = logits.max() ?? 0
                let weights = logits.map { $0 == -.infinity ? 0 : Double.exp($0 - top) }
                let sum = weights.reduce(0, +)
                for t in 0..<clusters {
                    let value = weights[t] / sum
                    change = max(change, abs(value - q[x][t]))
                    q[x][t] = value
                }
            }
            if change < tolerance { break }
        }
        return q
    }

    /// The curve by deterministic annealing over `betas` (ascending) with at most
    /// `clusters` values of T: one point per β, then only the points on the upper
    /// envelope (no other point has at most its I(X;T) and more I(T;Y)).
    public func curve(betas: [Double], clusters: Int, seed: UInt64 = 1999) -> [Point] {
        var rng = SeededRNG(seed: seed).fork("information-bottleneck")
        var encoder = [[Double]](repeating: [Double](repeating: 1 / Double(clusters), count: clusters), count: joint.count)
        var points: [Point] = []
        for beta in betas {
            // Symmetry breaking: a small seeded perturbation, so clusters can split when β passes a critical value.
            for x in encoder.indices {
                var row = encoder[x].map { $0 * (1 + 0.02 * (rng.uniformDouble() - 0.5)) + 1e-6 }
                let sum = row.reduce(0, +)
                row = row.map { $0 / sum }
                encoder[x] = row
            }
            encoder = iterate(beta: beta, from: encoder)
            let (ixt, ity, used) = information(encoder)
            points.append(Point(beta: beta, ixt: ixt, ity: ity, clusters: used))
        }
        return points.filter { p in !points.contains { $0.ixt <= p.ixt + 1e-9 && $0.ity > p.ity + 1e-6 } }
    }

    /// The curve of a deterministic rule: I(T;Y) = min(I(X;T), H(Y)), bits.
    public static func deterministicCurve(hy: Double, at ixt: Double) -> Double { min(max(ixt, 0), hy) }
}

/// A probability table that is not one: what is wrong with it.
public struct DistributionError: LabError, Equatable {
    public var failure: FailureKind { .input }

    public var description: String
    public init(_ description: String) { self.description = description }
}
