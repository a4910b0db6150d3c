import Foundation

/// What a reader may change about a figure: the information planes' axis limits, the
/// size it is shown at and its type size. The default draws what the papers draw: planes
/// from 0 to H(X) and H(Y) (further when the data go beyond), at the layout's own size.
public struct FigureStyle: Sendable {
    /// How one axis of an information plane is chosen.
    public enum Limits: Sendable, Equatable {
        /// 0 to the ceiling the theory gives (log₂ n for I(X;T), H(Y) for I(T;Y)), or to the
        /// data's maximum when it is larger.
        case theory
        /// The data's own range with a margin of 5% of its span on either side (`--zoom`).
        case fit
        /// Exactly these ends (`--xlim`, `--ylim`); points outside are clipped at the frame.
        case fixed(Double, Double)
    }

    public var x: Limits
    public var y: Limits
    /// Multiplies every font size (1: the layout's own sizes).
    public var fontScale: Double
    /// The figure's display width and height in px (the SVG's `width`/`height`; the
    /// drawing keeps its aspect ratio inside them, and the PNG is rendered at twice this).
    /// nil: the layout's own size.
    public var size: (width: Double, height: Double?)?

    public init(x: Limits = .theory, y: Limits = .theory, fontScale: Double = 1, size: (width: Double, height: Double?)? = nil) {
        self.x = x
        self.y = y
        self.fontScale = fontScale
        self.size = size
    }

    /// A panel's domain along one axis for `values` (non-finite ones ignored) whose
    /// theoretical ceiling is `ceiling`; `headroom` is the fraction added above the
    /// ceiling or maximum in the `.theory` case (the layouts' 2% and 4%).
    public static func domain(_ limits: Limits, values: [Double], ceiling: Double, headroom: Double) -> (Double, Double) {
        let finite = values.filter(\.isFinite)
        switch limits {
        case .theory:
            return (0, max(max(ceiling, finite.max() ?? 0) * (1 + headroom), 1e-3))
        case .fit:
            guard let low = finite.min(), let high = finite.max() else { return (0, max(ceiling, 1e-3)) }
            let margin = max(high - low, max(abs(high), 1) * 1e-3) * 0.05
            return (low - margin, high + margin)
        case .fixed(let low, let high):
            return (low, high)
        }
    }

    /// A domain as text, "0–12.2", for the figures that state their axes (the comparison).
    public static func describe(_ domain: (Double, Double)) -> String {
        String(format: "%.3g–%.3g", domain.0, domain.1)
    }
}
