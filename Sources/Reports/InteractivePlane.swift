import Analysis
import Foundation
import Information
import Plotting

/// The information plane of an analysis as one self-contained HTML page
/// (`information_plane.html` beside the PNG): the data inline as JSON, a small inline
/// script that draws the plane as SVG, no network access. Hovering a point shows its layer,
/// epoch, run count, I(X;T) and I(T;Y) with their spread over runs; checkboxes toggle
/// layers, a selector switches estimators, and an epoch slider moves a marker along every
/// layer's path.
package enum InteractivePlane {
    /// What the page draws, as the script reads it (`JSON.parse` of the inline data).
    struct Page: Encodable {
        struct Estimator: Encodable {
            var label: String
            var title: String
            /// `[epoch][layer]`, bits; the means over runs and their standard deviations
            /// (0 for one run); null where not finite.
            var ixt: [[Double?]], ity: [[Double?]]
            var ixtSD: [[Double?]], itySD: [[Double?]]
        }
        var title: String
        var runs: Int
        var epochs: [Int]
        var layers: [String]
        /// log₂ n and H(Y): the axes' ceilings.
        var hx: Double, hy: Double
        var colors: [String]
        var estimators: [Estimator]
        /// The index of the main estimator (``AnalysisFigures/mainLabel``): the one shown first.
        var main: Int
        /// How each axis is chosen, as ``FigureStyle/Limits`` says for the static figures:
        /// `theory` (0 to H(X) or H(Y), further when the estimator's data go beyond), `fit`
        /// (the estimator's data with 5% margins) or `fixed` (these ends, in bits; a
        /// comparison's shared axes, `--xlim`/`--ylim`), points outside clipped at the frame.
        struct Axis: Encodable, Equatable {
            var kind: String
            var low: Double?
            var high: Double?

            init(_ limits: FigureStyle.Limits) {
                switch limits {
                case .theory: kind = "theory"
                case .fit: kind = "fit"
                case .fixed(let low, let high): (kind, self.low, self.high) = ("fixed", low, high)
                }
            }
        }
        struct Axes: Encodable { var ixt: Axis; var ity: Axis }
        var axes: Axes
    }

    /// The page for the figures' analysis, its estimators in the comparison's order, its
    /// axes chosen as `style` says (`--zoom`, `--xlim`, `--ylim`).
    package static func html(_ figures: AnalysisFigures, style: FigureStyle = FigureStyle()) throws -> String {
        var page = page(figures)
        page.axes = .init(ixt: .init(style.x), ity: .init(style.y))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // "</" cannot end the inline script early.
        let json = String(decoding: try encoder.encode(page), as: UTF8.self).replacingOccurrences(of: "</", with: "<\\/")
        return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(SVG.escape(page.title)): information plane</title>
        <style>
        \(style)
        </style></head><body>
        <h1>\(SVG.escape(page.title)): the information plane</h1>
        <p class="note">Mean of \(page.runs) run\(page.runs == 1 ? "" : "s") per layer and logged epoch. Hover a point for its
        numbers (± 1 s.d. over runs); tick layers on and off; choose the estimator; move the epoch slider to follow
        every layer's path. Written by infoplane; no network access.</p>
        <div id="controls"></div>
        <div id="readout"></div>
        <div id="plane"></div>
        <script type="application/json" id="data">\(json)</script>
        <script>
        \(script)
        </script>
        </body></html>

        """
    }

    /// The page's styles (shared with the comparison page): the plane takes the window's
    /// width, up to what keeps it on screen.
    static let style = """
    body { font: 14px/1.4 system-ui, sans-serif; margin: 20px; color: #222; }
    #controls { display: flex; flex-wrap: wrap; gap: 14px; align-items: center; margin: 8px 0; }
    #controls label { white-space: nowrap; } #plane circle.point:hover { stroke: #000; stroke-width: 1.5; }
    #plane svg { width: 100%; height: auto; max-width: calc(80vh * 1.385); display: block; }
    #readout { font-family: ui-monospace, monospace; font-size: 12px; color: #333; min-height: 1.4em; }
    .note { color: #555; font-size: 12px; max-width: 760px; }
    table { border-collapse: collapse; font-size: 13px; margin: 12px 0; }
    th, td { border-bottom: 1px solid #ddd; padding: 3px 10px; text-align: right; } th:first-child, td:first-child { text-align: left; }
    """

    /// What the page draws of the figures' analysis, its estimators in the comparison's order.
    static func page(_ figures: AnalysisFigures) -> Page {
        let analysis = figures.analysis
        func finite(_ table: [[Double]]) -> [[Double?]] { table.map { $0.map { $0.isFinite ? $0 : nil } } }
        func sd(_ perRun: [[[Double]]]?, epochs: Int, layers: Int) -> [[Double?]] {
            guard let perRun, perRun.count > 1 else { return Array(repeating: Array(repeating: 0, count: layers), count: epochs) }
            return finite(RepeatStatistics(perRun, resamples: 0).std)
        }
        let estimators = figures.orderedLabels.compactMap { label -> Page.Estimator? in
            guard let ixt = analysis.ixtMean[label], let ity = analysis.ityMean[label] else { return nil }
            return Page.Estimator(label: label, title: figures.displayTitle(label), ixt: finite(ixt), ity: finite(ity),
                                  ixtSD: sd(analysis.ixtRuns[label], epochs: ixt.count, layers: analysis.layers.count),
                                  itySD: sd(analysis.ityRuns[label], epochs: ity.count, layers: analysis.layers.count))
        }
        return Page(title: figures.name, runs: analysis.runs.count, epochs: analysis.epochs, layers: analysis.layers,
                    hx: figures.hx, hy: figures.hy, colors: analysis.layers.indices.map { ColorMap.category($0) },
                    estimators: estimators, main: max(0, estimators.firstIndex { $0.label == figures.mainLabel } ?? 0),
                    axes: .init(ixt: .init(.theory), ity: .init(.theory)))
    }
}
