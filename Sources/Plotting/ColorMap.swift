import Foundation

/// Perceptually uniform colour maps: viridis (sequential; van der Walt & Smith, matplotlib
/// 2.0) and a blue–white–red diverging map centred on 0 (ColorBrewer RdBu), interpolated
/// linearly in sRGB between anchors.
public enum ColorMap: Sendable {
    case viridis
    case diverging

    private var anchors: [(Double, Double, Double)] {
        switch self {
        case .viridis:
            return [(0.267, 0.005, 0.329), (0.283, 0.141, 0.458), (0.254, 0.265, 0.530), (0.207, 0.372, 0.553),
                    (0.164, 0.471, 0.558), (0.128, 0.567, 0.551), (0.135, 0.659, 0.518), (0.267, 0.749, 0.441),
                    (0.478, 0.821, 0.318), (0.741, 0.873, 0.150), (0.993, 0.906, 0.144)]
        case .diverging:
            return [(0.020, 0.188, 0.380), (0.129, 0.400, 0.675), (0.263, 0.576, 0.765), (0.573, 0.773, 0.871),
                    (0.820, 0.898, 0.941), (0.969, 0.969, 0.969), (0.992, 0.859, 0.780), (0.957, 0.647, 0.510),
                    (0.839, 0.376, 0.302), (0.698, 0.094, 0.169), (0.404, 0.000, 0.122)]
        }
    }

    /// The colour at `t` in [0, 1] (clamped) as `#rrggbb`.
    public func color(_ t: Double) -> String {
        let (r, g, b) = rgb(t)
        return String(format: "#%02x%02x%02x", r, g, b)
    }

    /// The colour at `t` in [0, 1] (clamped) as 8-bit sRGB channels.
    public func rgb(_ t: Double) -> (UInt8, UInt8, UInt8) {
        let anchors = self.anchors
        let x = min(max(t.isFinite ? t : 0, 0), 1) * Double(anchors.count - 1)
        let i = min(Int(x), anchors.count - 2)
        let f = x - Double(i)
        let a = anchors[i], b = anchors[i + 1]
        func channel(_ u: Double, _ v: Double) -> UInt8 { UInt8(((u + (v - u) * f) * 255).rounded()) }
        return (channel(a.0, b.0), channel(a.1, b.1), channel(a.2, b.2))
    }
}

extension ColorMap {
    /// Tableau 10 (Stone 2016), distinguishable categories (layers, train and test), in order;
    /// beyond ten the colours repeat.
    public static let categories = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

    /// The colour of category `index`.
    public static func category(_ index: Int) -> String { categories[((index % categories.count) + categories.count) % categories.count] }
}
