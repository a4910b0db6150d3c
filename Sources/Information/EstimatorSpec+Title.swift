extension EstimatorSpec {
    /// A title for figures, in words a reader of the papers knows, e.g. "Binning, 30 bins
    /// on [−1, 1]", "KDE upper bound, σ² = 0.1", "k-NN (Kraskov), k = 3"; `label` picks
    /// the bound of a KDE spec.
    public func title(for label: String) -> String {
        switch self {
        case .binning(let binning, let range):
            var text: String
            switch binning {
            case .intervals(let n): text = "Binning, \(n) bins"
            case .edges(let n): text = "Binning, \(n) edges (2017 code)"
            case .width(let w): text = "Binning, width \(Self.format(w))"
            }
            switch range {
            case .fixed(let lo, let hi): text += " on [\(Self.signed(lo)), \(Self.signed(hi))]"
            case .layer: text += ", range per layer"
            case .global: text += ", range over all layers"
            case .auto: text += ", range per layer over training"
            }
            return text
        case .kde(let variance, _, _):
            return "KDE \(label.hasSuffix("_lower") ? "lower" : "upper") bound, σ² = \(Self.format(variance))"
        case .adaptive(let bins): return "Adaptive binning, \(bins) equal-count bins"
        case .knn(let k): return "k-NN (Kraskov), k = \(k)"
        case .ksg(let k): return "KSG (Kraskov; Ross), k = \(k)"
        case .renyi(let alpha, let gamma, _):
            return "Matrix-based Rényi, α = \(Self.format(alpha))" + (gamma == 1 ? "" : ", γ = \(Self.format(gamma))")
        }
    }

    /// The title of a panel of I(T;Y) alone. KDE's I(T;Y) is the difference of two bounds
    /// of one kind (on H(T) and on the class-conditional entropies), not itself a bound, so
    /// it is named by that pairing: "KDE, difference of upper bounds, σ² = 0.1".
    public func informationWithLabelsTitle(for label: String) -> String {
        switch self {
        case .kde(let variance, _, _):
            return "KDE, difference of \(label.hasSuffix("_lower") ? "lower" : "upper") bounds, σ² = \(Self.format(variance))"
        case .binning, .adaptive, .knn, .ksg, .renyi:
            return title(for: label)
        }
    }

    /// A number with a typographic minus.
    static func signed(_ x: Double) -> String { x < 0 ? "−" + format(-x) : format(x) }
}
