import Information
import RealModule
import Testing

/// The iterative IB algorithm against curves known in closed form.
@Suite("Information bottleneck curves")
struct InformationBottleneckTests {
    static func h(_ p: Double) -> Double { p <= 0 || p >= 1 ? 0 : -p * Double.log2(p) - (1 - p) * Double.log2(1 - p) }
    /// The inverse of the binary entropy on [0, 1/2], by bisection.
    static func hInverse(_ value: Double) -> Double {
        var (low, high) = (0.0, 0.5)
        for _ in 0..<80 { let mid = (low + high) / 2; if h(mid) < value { low = mid } else { high = mid } }
        return (low + high) / 2
    }

    /// The doubly symmetric binary source (X uniform, Y = X ⊕ Bernoulli(ε)): the curve is
    /// I(T;Y) = 1 − h(ε ∗ h⁻¹(1 − I(X;T))) with a ∗ b = a(1 − b) + b(1 − a) (Mrs. Gerber's
    /// lemma; T = X through a binary symmetric channel is optimal), and T stays trivial
    /// for β below 1/(1 − 2ε)².
    @Test func doublySymmetricBinarySource() throws {
        let epsilon = 0.1
        let ib = try InformationBottleneck(joint: [[0.5 * (1 - epsilon), 0.5 * epsilon], [0.5 * epsilon, 0.5 * (1 - epsilon)]])
        let critical = 1 / ((1 - 2 * epsilon) * (1 - 2 * epsilon))  // 1.5625
        let betas = stride(from: 1.0, through: 12, by: 0.05).map { $0 }
        let points = ib.curve(betas: betas, clusters: 2)
        #expect(points.count > 50)
        for point in points {
            let delta = Self.hInverse(1 - point.ixt)
            let convolved = epsilon * (1 - delta) + delta * (1 - epsilon)
            let exact = 1 - Self.h(convolved)
            #expect(point.ity.isApproximatelyEqual(to: exact, absoluteTolerance: 1e-6), "β \(point.beta): I(T;Y) \(point.ity), closed form \(exact) at I(X;T) \(point.ixt)")
            if point.beta < critical - 0.05 { #expect(point.ixt < 1e-6, "β \(point.beta) below the critical \(critical) must stay trivial") }
        }
        // Larger β keeps more of X: the curve rises towards (1, 1 − h(ε)).
        let last = try #require(points.last)
        #expect(last.ixt > 0.9 && last.ity.isApproximatelyEqual(to: (1 - Self.h(epsilon)), absoluteTolerance: 0.02))
    }

    /// The slope of the curve at a β-optimal point is 1/β.
    @Test func slopeIsOneOverBeta() throws {
        let ib = try InformationBottleneck(joint: [[0.3, 0.05, 0.0], [0.05, 0.2, 0.05], [0.0, 0.1, 0.25]])
        let betas = stride(from: 1.0, through: 30, by: 0.02).map { $0 }
        let points = ib.curve(betas: betas, clusters: 3)
        for (a, b) in zip(points, points.dropFirst()) where b.ixt - a.ixt > 1e-4 && a.clusters == b.clusters && a.beta > 3 {
            let slope = (b.ity - a.ity) / (b.ixt - a.ixt)
            let beta = (a.beta + b.beta) / 2
            #expect(slope.isApproximatelyEqual(to: 1 / beta, absoluteTolerance: 0.02 * max(1, 1 / beta) + 0.01), "slope \(slope) at β \(beta)")
        }
        #expect(points.allSatisfy { $0.ity <= min($0.ixt, ib.hy) + 1e-9 }, "the data-processing inequality")
    }

    /// A deterministic rule: the Lagrangian reaches only the corners of the line
    /// I(T;Y) = min(I(X;T), H(Y)).
    @Test func deterministicRuleReachesOnlyTheCorners() throws {
        // Four equally likely x, y = x mod 2: H(Y) = 1 bit.
        let ib = try InformationBottleneck(joint: [[0.25, 0], [0, 0.25], [0.25, 0], [0, 0.25]])
        let points = ib.curve(betas: [0.5, 0.9, 1.1, 2, 5, 20], clusters: 4)
        for point in points {
            #expect(point.ity.isApproximatelyEqual(to: InformationBottleneck.deterministicCurve(hy: 1, at: point.ixt), absoluteTolerance: 1e-6))
            #expect(point.ixt < 1e-6 || point.ixt.isApproximatelyEqual(to: 1, absoluteTolerance: 1e-6), "β \(point.beta): I(X;T) \(point.ixt) is not a corner")
        }
        #expect(throws: DistributionError.self) { try InformationBottleneck(joint: [[0.5, 0.6]]) }
    }
}
