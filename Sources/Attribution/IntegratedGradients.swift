import Networks
import Tensor

/// Integrated Gradients (Sundararajan et al. 2017, "Axiomatic attribution for deep
/// networks"): (x − x′) ⊙ ∫₀¹ ∂f/∂x (x′ + α(x − x′)) dα, approximated by a quadrature
/// Σ_k w_k ∂f/∂x(x′ + α_k (x − x′)).
///
/// Completeness says Σ map = f(x) − f(x′); ``Attribution/completenessGap`` reports the
/// difference per sample, which shrinks as `steps` grows.
public struct IntegratedGradients: AttributionMethod {
    /// The quadrature rule on [0, 1] with n nodes.
    ///
    /// | rule | α_k | w_k |
    /// |---|---|---|
    /// | `riemannLeft` | k/n, k = 0…n−1 | 1/n |
    /// | `riemannRight` | (k+1)/n | 1/n |
    /// | `riemannMiddle` | (k+½)/n | 1/n |
    /// | `trapezoid` | k/(n−1), k = 0…n−1 | 1/(n−1), halved at both ends (Σ w = 1) |
    /// | `gaussLegendre` | Legendre nodes mapped to [0, 1] | their weights / 2 |
    ///
    /// Captum's left, right, middle and Gauss–Legendre rules are the same. Captum's
    /// trapezoid uses weights 1/n (halved at the ends), which sum to (n−1)/n, so its maps
    /// are short by that factor; ours sum to 1.
    public enum Quadrature: String, Sendable, Hashable, CaseIterable {
        case riemannLeft = "riemann_left", riemannRight = "riemann_right", riemannMiddle = "riemann_middle"
        case trapezoid, gaussLegendre = "gauss_legendre"

        /// Nodes α_k and weights w_k on [0, 1].
        public func nodes(_ n: Int) -> (alphas: [Double], weights: [Double]) {
            let count = Double(n)
            switch self {
            case .riemannLeft: return ((0..<n).map { Double($0) / count }, Array(repeating: 1 / count, count: n))
            case .riemannRight: return ((0..<n).map { Double($0 + 1) / count }, Array(repeating: 1 / count, count: n))
            case .riemannMiddle: return ((0..<n).map { (Double($0) + 0.5) / count }, Array(repeating: 1 / count, count: n))
            case .trapezoid:
                guard n > 1 else { return ([0.5], [1]) }
                var weights = Array(repeating: 1 / (count - 1), count: n)
                weights[0] /= 2
                weights[n - 1] /= 2
                return ((0..<n).map { Double($0) / (count - 1) }, weights)
            case .gaussLegendre:
                let (x, w) = Self.legendre(n)
                return (x.map { ($0 + 1) / 2 }, w.map { $0 / 2 })
            }
        }

        /// Gauss–Legendre nodes and weights on [−1, 1], ascending: Newton's iteration on
        /// P_n from Tricomi's initial guesses cos(π(k − ¼)/(n + ½)); exact to ~1e-15.
        static func legendre(_ n: Int) -> ([Double], [Double]) {
            var nodes = [Double](repeating: 0, count: n), weights = nodes
            guard n > 0 else { return (nodes, weights) }
            for k in 1...n {
                var x = Double.cos(Double.pi * (Double(k) - 0.25) / (Double(n) + 0.5))
                var derivative = 0.0
                for _ in 0..<100 {
                    // P_n(x) and P_n'(x) by the three-term recurrence.
                    var p0 = 1.0, p1 = x
                    for j in stride(from: 2, through: n, by: 1) {
                        let p2 = (Double(2 * j - 1) * x * p1 - Double(j - 1) * p0) / Double(j)
                        p0 = p1
                        p1 = p2
                    }
                    // p1 = P_n(x), p0 = P_{n−1}(x).
                    derivative = Double(n) * (x * p1 - p0) / (x * x - 1)
                    let step = p1 / derivative
                    x -= step
                    if abs(step) < 1e-16 { break }
                }
                nodes[n - k] = x
                weights[n - k] = 2 / ((1 - x * x) * derivative * derivative)
            }
            return (nodes, weights)
        }
    }

    public var steps: Int
    public var quadrature: Quadrature
    /// The baseline x′ as a constant per input element (0: a black image).
    public var baseline: Float

    public init(steps: Int = 50, quadrature: Quadrature = .gaussLegendre, baseline: Float = 0) {
        self.steps = steps
        self.quadrature = quadrature
        self.baseline = baseline
    }

    public var name: String { "integrated_gradients" }
    public var units: AttributionUnits { .logit }
    public func conservationReasons(model: Sequential, bias: BiasConvention) -> [String] { ["Integrated Gradients: Σ map = f(x) − f(baseline) up to the quadrature (completeness gap below)"] }

    /// - Complexity: `steps` forward and backward passes of the batch.
    public func attribute(_ model: Sequential, inputs: Tensor, target: Target) throws(ExplanationError) -> Attribution {
        guard steps > 0 else { throw ExplanationError("Integrated Gradients needs steps > 0 (got \(steps))") }
        let (_, targets, logits) = try model.resolvedForward(inputs, target)
        let (alphas, weights) = quadrature.nodes(steps)
        var integral = [Double](repeating: 0, count: inputs.count)
        for (alpha, weight) in zip(alphas, weights) {
            let a = Float(alpha)
            let path = Tensor(shape: inputs.shape, scalars: inputs.scalars.map { baseline + a * ($0 - baseline) })
            let g = model.targetGradient(path, targets: targets)
            for i in integral.indices { integral[i] += weight * Double(g.scalars[i]) }
        }
        let map = Tensor(shape: inputs.shape, scalars: zip(inputs.scalars, integral).map { Float(Double($0 - baseline) * $1) })
        let atBaseline = Sequential.pick(model(Tensor(shape: inputs.shape, repeating: baseline)), targets)
        let explained = Sequential.pick(logits, targets)
        var attribution = Attribution(method: name, map: map, targets: targets, explained: explained)
        attribution.completenessGap = zip(attribution.totals, zip(explained, atBaseline)).map { $0 - Double($1.0 - $1.1) }
        return attribution
    }
}
