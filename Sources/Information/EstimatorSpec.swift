import Tensor

/// An estimator as configured for an analysis, with a stable label that names its
/// results (e.g. `binning_intervals30`, `kde_0.1_upper`).
public enum EstimatorSpec: Sendable, Equatable {
    /// Binning; a `.global` range is resolved per run (min and max over all layers and
    /// logged epochs) before estimating.
    case binning(BinnedEstimator.Binning, RangeSpec)
    /// KDE bounds with noise variance σ²: `upper`, `lower` or both.
    case kde(variance: Double, upper: Bool, lower: Bool)
    /// Adaptive (equal-count over distinct values) binning with this many bins.
    case adaptive(bins: Int)
    /// The k-nearest-neighbour entropy estimator (its I(X;T) column is ĥ(T)).
    case knn(k: Int)
    /// The KSG estimator of I(T;Y) in Ross's form for a discrete label (its I(X;T) column
    /// is the Kozachenko–Leonenko ĥ(T), as for `knn`).
    case ksg(k: Int)
    /// The matrix-based Rényi α-entropy on Gram matrices of `samples` rows, kernel width
    /// by Scott's rule times `gamma` (its I(X;T) column is S_α(T)).
    case renyi(alpha: Double, gamma: Double, samples: Int)

    public enum RangeSpec: Sendable, Equatable {
        /// Fixed bounds (tanh's [−1, 1]).
        case fixed(Double, Double)
        /// Each layer's own minimum and maximum at each logged epoch.
        case layer
        /// The run's minimum and maximum over all layers and logged epochs (Saxe et al.
        /// 2018's treatment of ReLU: 100 bins between the global extremes).
        case global
        /// Each layer's minimum and maximum over all logged epochs of the run: one binning
        /// per layer for the whole training, fitted to that layer (unbounded ReLU units
        /// whose scale differs from layer to layer).
        case auto
    }

    /// The fixed range whose outside values are put into the end bins (binning by
    /// intervals or edges on `range: [lo, hi]`); nil for unbounded or fitted ranges.
    public var clippingRange: (low: Double, high: Double)? {
        guard case .binning(let binning, .fixed(let low, let high)) = self else { return nil }
        switch binning {
        case .intervals, .edges: return (low, high)
        case .width: return nil
        }
    }

    /// Whether the run's extremes (global or per layer) must be known before estimating.
    public var needsRunExtremes: Bool {
        guard case .binning(_, let range) = self else { return false }
        switch range {
        case .global, .auto: return true
        case .fixed, .layer: return false
        }
    }

    /// Whether rounding the activations to float16 changes what this estimator measures:
    /// k-NN's nearest-neighbour distances collapse to zero at duplicate rows, while bins of
    /// 30–100 per unit and KDE's σ² ≥ 0.01 are far coarser than the rounding (docs/estimators.md).
    public var measuresFloat16Rounding: Bool {
        switch self {
        case .knn, .ksg: true
        case .binning, .kde, .adaptive, .renyi: false
        }
    }

    /// The labels of the series this estimator produces.
    public var labels: [String] {
        switch self {
        case .binning(let binning, let range):
            let base: String
            switch binning {
            case .intervals(let n): base = "binning_intervals\(n)"
            case .edges(let n): base = "binning_edges\(n)"
            case .width(let w): base = "binning_width\(Self.format(w))"
            }
            switch range {
            case .fixed: return [base]
            case .layer: return [base + "_layer_range"]
            case .global: return [base + "_global_range"]
            case .auto: return [base + "_auto_range"]
            }
        case .kde(let variance, let upper, let lower):
            return (upper ? ["kde_\(Self.format(variance))_upper"] : []) + (lower ? ["kde_\(Self.format(variance))_lower"] : [])
        case .adaptive(let bins): return ["adaptive\(bins)"]
        case .knn(let k): return ["knn\(k)"]
        case .ksg(let k): return ["ksg\(k)"]
        case .renyi(let alpha, let gamma, let samples):
            return ["renyi_alpha\(Self.format(alpha))_gamma\(Self.format(gamma))_samples\(samples)"]
        }
    }

    /// The estimator of one of its labels in `analyze --estimator` form, e.g.
    /// `binning:bins=30,range=[-1,1]`, `kde:noise_variance=0.1,bound=upper`.
    public func argument(for label: String) -> String {
        switch self {
        case .binning(let binning, let range):
            var text: String
            switch binning {
            case .intervals(let n): text = "binning:bins=\(n)"
            case .edges(let n): text = "binning:edges=\(n)"
            case .width(let w): text = "binning:width=\(Self.format(w))"
            }
            switch range {
            case .fixed(let lo, let hi): text += ",range=[\(Self.format(lo)),\(Self.format(hi))]"
            case .layer: text += ",range=layer"
            case .global: text += ",range=global"
            case .auto: text += ",range=auto"
            }
            return text
        case .kde(let variance, _, _):
            return "kde:noise_variance=\(Self.format(variance)),bound=\(label.hasSuffix("_lower") ? "lower" : "upper")"
        case .adaptive(let bins): return "adaptive:bins=\(bins)"
        case .knn(let k): return "knn:k=\(k)"
        case .ksg(let k): return "ksg:k=\(k)"
        case .renyi(let alpha, let gamma, let samples): return "renyi:alpha=\(Self.format(alpha)),gamma=\(Self.format(gamma)),samples=\(samples)"
        }
    }

    /// A sentence for the analysis file: formula source and parameters.
    public var summary: String {
        switch self {
        case .binning(let binning, let range):
            let how: String
            switch binning {
            case .intervals(let n): how = "\(n) equal intervals"
            case .edges(let n): how = "\(n) edges, linspace as the 2017 code (value → left edge of its interval)"
            case .width(let w): how = "bins of width \(w) (floor(h / \(w)))"
            }
            let over: String
            switch range {
            case .fixed(let lo, let hi): over = "over [\(lo), \(hi)]"
            case .layer: over = "over each layer's own range"
            case .global: over = "over the run's global minimum and maximum"
            case .auto: over = "over each layer's minimum and maximum across the run's logged epochs"
            }
            return "Binning (Shwartz-Ziv & Tishby 2017): \(how) \(over); I(X;T) = H(T), I(T;Y) = H(T) − H(T|Y), bits"
        case .kde(let variance, _, _):
            return "KDE with Gaussian noise σ² = \(variance) (Kolchinsky & Tracey 2017, as Saxe et al. 2018); upper bound with σ², lower with 4σ²; bits"
        case .adaptive(let bins):
            return "Adaptive binning (Chelombiev et al. 2019): \(bins) bins holding equal numbers of the layer's distinct values; bits"
        case .knn(let k):
            return "k-NN differential entropy (Kozachenko–Leonenko, Kraskov et al. 2004), k = \(k); the ixt column holds h(T) in bits (I(X;T) is infinite for a deterministic continuous map); ity = h(T) − h(T|Y)"
        case .ksg(let k):
            return "KSG mutual information for a discrete label (Kraskov et al. 2004; Ross 2014, eq. 2), k = \(k); ity = ψ(N) + ⟨ψ(k)⟩ − ⟨ψ(N_y)⟩ − ⟨ψ(m)⟩ in bits; the ixt column holds the Kozachenko–Leonenko h(T) in bits"
        case .renyi(let alpha, let gamma, let samples):
            return "Matrix-based Rényi α-entropy (Sánchez Giraldo, Rao & Príncipe 2015; Yu et al. 2021), α = \(alpha), Gaussian kernel of width γ·s·m^(−1/(4+d)) (Scott's rule, γ = \(gamma), s the root mean marginal variance), m = \(samples) evenly spaced samples; the ixt column holds S_α(T), ity = S_α(T) + S_α(Y) − S_α(T,Y) with a delta kernel on labels; bits"
        }
    }

    public static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e6 ? String(Int(value)) : "\(value)"
    }

    /// Estimates for one layer at one epoch, one (I(X;T), I(T;Y)) pair per label.
    /// - Parameters:
    ///   - globalRange: the run's (min, max) over all layers and logged epochs, for `.global` ranges.
    ///   - layerRange: this layer's (min, max) over the run's logged epochs, for `.auto` ranges.
    public func estimate(_ activations: Tensor, labels: [Int32], globalRange: (Double, Double),
                         layerRange: (Double, Double)) -> [(ixt: Double, ity: Double)] {
        switch self {
        case .binning(let binning, let range):
            let resolved: BinnedEstimator.Range
            switch range {
            case .fixed(let lo, let hi): resolved = .fixed(lo, hi)
            case .layer: resolved = .layer
            case .global: resolved = .global(globalRange.0, globalRange.1)
            case .auto: resolved = .global(layerRange.0, layerRange.1)
            }
            return [BinnedEstimator(binning, range: resolved).estimate(activations, labels: labels)]
        case .kde(let variance, let upper, let lower):
            let bounds = KDEEstimator(noiseVariance: variance).estimate(activations, labels: labels)
            return (upper ? [bounds.upper] : []) + (lower ? [bounds.lower] : [])
        case .adaptive(let bins):
            return [AdaptiveBinnedEstimator(bins: bins).estimate(activations, labels: labels)]
        case .knn(let k):
            return [KNNEntropyEstimator(k: k).estimate(activations, labels: labels)]
        case .ksg(let k):
            return [KSGEstimator(k: k).estimate(activations, labels: labels)]
        case .renyi(let alpha, let gamma, let samples):
            return [MatrixRenyiEstimator(alpha: alpha, gamma: gamma, samples: samples).estimate(activations, labels: labels)]
        }
    }
}
