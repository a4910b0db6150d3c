import Foundation

/// One information plane: per logged epoch and layer, (I(X;T), I(T;Y)) in bits.
public struct PlaneData: Sendable {
    public var title: String
    public var epochs: [Int]
    /// `[epoch][layer]`
    public var ixt: [[Double]]
    public var ity: [[Double]]
    public var layerNames: [String]
    /// Per layer, the spread (e.g. 1 s.d. over runs) of I(X;T) and I(T;Y) at the last
    /// epoch, drawn as error bars there; empty: none.
    public var finalSpread: [(ixt: Double, ity: Double)] = []

    public init(title: String, epochs: [Int], ixt: [[Double]], ity: [[Double]], layerNames: [String]) {
        self.title = title
        self.epochs = epochs
        self.ixt = ixt
        self.ity = ity
        self.layerNames = layerNames
    }
}

/// The figures of the literature, drawn from plain series (this module knows nothing
/// of estimators or run files).
public enum Figures {
    /// Information planes side by side (Shwartz-Ziv & Tishby 2017, Fig. 3; Saxe et al.
    /// 2018, Fig. 1): one point per layer and logged epoch, coloured by epoch (viridis,
    /// log or linear epoch scale, with a colour bar), thin lines joining the layers of
    /// the same epoch, layer names at the last epoch. Axes span 0–H(X) and 0–H(Y) unless
    /// the data go beyond.
    /// - Parameters:
    ///   - columns: panels per row (rows as needed), so a figure stays readable at page width.
    ///   - sharedX: one I(X;T) axis for all panels (up to log₂ n); otherwise each panel's
    ///     own range, for estimators whose scales differ (KDE beside binning).
    ///   - style: the axes' limits (``FigureStyle/Limits``); points outside fixed limits are
    ///     clipped at the frame and their layer labels left out.
    public static func informationPlane(_ panels: [PlaneData], hx: Double, hy: Double, logEpochs: Bool = true,
                                        title: String = "", columns: Int = 3, sharedX: Bool = true, connectors: Int = 40,
                                        style: FigureStyle = FigureStyle()) -> SVG {
        let panelWidth = 330.0, panelHeight = 280.0, margin = 70.0, gap = 60.0, rowGap = 70.0
        let perRow = max(1, min(columns, panels.count))
        let rows = (panels.count + perRow - 1) / perRow
        let width = margin + Double(perRow) * panelWidth + Double(max(perRow - 1, 0)) * gap + 110
        var svg = SVG(width: width, height: Double(max(rows, 1)) * (panelHeight + rowGap) + 50)
        if !title.isEmpty { svg.title(title, y: 20, size: 15) }
        let allEpochs = panels.flatMap(\.epochs)
        let bar = logEpochs
            ? ColorBar.epochs(first: allEpochs.min() ?? 0, last: allEpochs.max() ?? 1, left: width - 95, top: 60, height: panelHeight)
            : ColorBar(map: .viridis, kind: .linear, domain: (Double(allEpochs.min() ?? 0), Double(max(allEpochs.max() ?? 1, 1))),
                       left: width - 95, top: 60, height: panelHeight, title: "epoch")
        let xShared = FigureStyle.domain(style.x, values: panels.flatMap { $0.ixt.flatMap { $0 } }, ceiling: hx, headroom: 0.02)
        let yDomain = FigureStyle.domain(style.y, values: panels.flatMap { $0.ity.flatMap { $0 } }, ceiling: hy, headroom: 0.04)
        for (index, data) in panels.enumerated() {
            // Unshared: each panel's own range (the theory's ceiling is not its scale).
            let xDomain = sharedX ? xShared : FigureStyle.domain(style.x, values: data.ixt.flatMap { $0 }, ceiling: 0, headroom: 0.05)
            let panel = Panel(left: margin + Double(index % perRow) * (panelWidth + gap), top: 60 + Double(index / perRow) * (panelHeight + rowGap),
                              width: panelWidth, height: panelHeight,
                              x: (.linear, xDomain), y: (.linear, yDomain), title: data.title,
                              xLabel: "I(X;T) in bits", yLabel: index % perRow == 0 ? "I(T;Y) in bits" : "")
            panel.drawAxes(&svg)
            panel.beginClipped(&svg, attributes: "class=\"plane\" data-layers=\"\(data.layerNames.count)\" data-epochs=\"\(data.epochs.count)\"")
            // The lines joining the layers of one epoch, at most `connectors` of them spread
            // evenly in log(epoch + 1), thin: 964 of them hide the layers' paths.
            for e in Self.connectorIndices(data.epochs, count: connectors) {
                let color = bar.color(Double(data.epochs[e]))
                panel.line(&svg, zip(data.ixt[e], data.ity[e]).map { ($0, $1) }, color: color, width: 0.5, opacity: 0.45, className: "epoch-line")
            }
            var items: [(x: Double, y: Double, color: String)] = []
            for (e, epoch) in data.epochs.enumerated() {
                let color = bar.color(Double(epoch))
                for l in data.ixt[e].indices { items.append((data.ixt[e][l], data.ity[e][l], color)) }
            }
            panel.points(&svg, items, radius: 2.4)
            // What a layer label must not cover: the error bars and the last epoch's points.
            var obstacles: [(x0: Double, y0: Double, x1: Double, y1: Double)] = []
            if let last = data.ixt.indices.last {
                for l in data.ixt[last].indices where panel.contains(data.ixt[last][l], data.ity[last][l]) {
                    let px = panel.x(data.ixt[last][l]), py = panel.y(data.ity[last][l])
                    obstacles.append((px - 3, py - 3, px + 3, py + 3))
                }
            }
            // Error bars at the last epoch: ± the spread in each direction.
            if let last = data.ixt.indices.last, data.finalSpread.count == data.layerNames.count {
                for (l, spread) in data.finalSpread.enumerated() where spread.ixt.isFinite && spread.ity.isFinite {
                    let x = data.ixt[last][l], y = data.ity[last][l]
                    // Clipped to the axes.
                    let cx = { (v: Double) in min(max(v, xDomain.0), xDomain.1) }, cy = { (v: Double) in min(max(v, yDomain.0), yDomain.1) }
                    panel.line(&svg, [(cx(x - spread.ixt), y), (cx(x + spread.ixt), y)], color: "#222", width: 1, className: "spread")
                    panel.line(&svg, [(x, cy(y - spread.ity)), (x, cy(y + spread.ity))], color: "#222", width: 1, className: "spread")
                    let (x0, x1, y0, y1) = (panel.x(cx(x - spread.ixt)), panel.x(cx(x + spread.ixt)), panel.y(cy(y + spread.ity)), panel.y(cy(y - spread.ity)))
                    if [x0, x1, y0, y1].allSatisfy(\.isFinite) {
                        obstacles.append((x0, panel.y(y) - 2, x1, panel.y(y) + 2))
                        obstacles.append((panel.x(x) - 2, y0, panel.x(x) + 2, y1))
                    }
                }
            }
            svg.raw("</g>")
            if let lastRow = data.ixt.indices.last {
                // Layer names at the last epoch; layers that end at the same place share one label.
                var labels: [(x: Double, y: Double, names: [String])] = []
                for (l, name) in data.layerNames.enumerated() {
                    let px = panel.x(data.ixt[lastRow][l]), py = panel.y(data.ity[lastRow][l])
                    guard panel.contains(data.ixt[lastRow][l], data.ity[lastRow][l]) else { continue }
                    if let i = labels.firstIndex(where: { abs($0.x - px) < 40 && abs($0.y - py) < 12 }) {
                        labels[i].names.append(name)
                    } else {
                        labels.append((px, py, [name]))
                    }
                }
                // Collision-aware placement: each label takes the first of several places
                // around its point (above, below, further up or down, the other side) whose
                // box stays inside the frame and meets no label placed before it, no error bar
                // and no layer's last point.
                var placed = obstacles
                for label in labels.sorted(by: { $0.y < $1.y }) {
                    let text = label.names.count > 2 ? "\(label.names.first!)–\(label.names.last!)" : label.names.joined(separator: ", ")
                    let textWidth = Double(text.count) * 5.2, textHeight = 10.0
                    let preferEnd = label.x > panel.left + panel.width * 0.7
                    var candidates: [(dx: Double, dy: Double, anchor: SVG.Anchor)] = []
                    for side in preferEnd ? [SVG.Anchor.end, .start] : [.start, .end] {
                        for dy in [-6.0, 13, -18, 25, -30, 37, -42, 49, -54] { candidates.append((side == .end ? -6 : 6, dy, side)) }
                    }
                    let frame = (x0: panel.left + 1, y0: panel.top + 1, x1: panel.left + panel.width - 1, y1: panel.top + panel.height - 1)
                    func box(_ c: (dx: Double, dy: Double, anchor: SVG.Anchor)) -> (x0: Double, y0: Double, x1: Double, y1: Double) {
                        let x = label.x + c.dx, y = label.y + c.dy
                        return c.anchor == .end ? (x - textWidth, y - textHeight, x, y) : (x, y - textHeight, x + textWidth, y)
                    }
                    let free = candidates.first { c in
                        let b = box(c)
                        guard b.x0 >= frame.x0 && b.x1 <= frame.x1 && b.y0 >= frame.y0 && b.y1 <= frame.y1 else { return false }
                        return !placed.contains { $0.x0 < b.x1 && b.x0 < $0.x1 && $0.y0 < b.y1 && b.y0 < $0.y1 }
                    } ?? candidates[0]
                    placed.append(box(free))
                    svg.text(text, x: label.x + free.dx, y: label.y + free.dy, size: 9, anchor: free.anchor,
                             extra: " class=\"layer-label\" fill=\"#444\"")
                }
            }
        }
        if Set(allEpochs).count > 1 { bar.draw(&svg) }  // one state (a recorded model): no epochs to tell apart
        return svg
    }

    /// Up to `count` indices of `epochs` spread evenly in log(epoch + 1), first and last
    /// included; all of them when there are no more than `count`.
    public static func connectorIndices(_ epochs: [Int], count: Int) -> [Int] {
        guard epochs.count > count, count >= 2, let first = epochs.first, let last = epochs.last else { return Array(epochs.indices) }
        let low = log(Double(max(first, 0)) + 1), high = log(Double(max(last, 0)) + 1)
        var chosen: [Int] = []
        var next = 0
        for k in 0..<count {
            let target = low + (high - low) * Double(k) / Double(count - 1)
            while next < epochs.count - 1, log(Double(max(epochs[next], 0)) + 1) < target { next += 1 }
            if chosen.last != next { chosen.append(next) }
        }
        return chosen
    }

    /// A series for line charts.
    public struct Series: Sendable {
        public var name: String
        public var points: [(Double, Double)]
        public var dashed: Bool
        /// A spread around the line, `(x, low, high)` (for example mean ± 1 s.d. over runs),
        /// drawn as a light band of the line's colour; empty: none.
        public var band: [(Double, Double, Double)]
        /// A ring at the first point and a dot at the last (a trajectory's direction).
        public var markEnds: Bool
        public init(name: String, points: [(Double, Double)], dashed: Bool = false, band: [(Double, Double, Double)] = [], markEnds: Bool = false) {
            self.name = name
            self.points = points
            self.dashed = dashed
            self.band = band
            self.markEnds = markEnds
        }
    }

    /// For each series, how many later series run on it: at 80% or more of the x values
    /// they share, within 1.5 px of it (`pixel` maps a value to the panel).
    static func coveredCounts(_ series: [[(Double, Double)]], pixel: (Double) -> Double) -> [Int] {
        let maps = series.map { points in Dictionary(points.map { ($0.0, pixel($0.1)) }, uniquingKeysWith: { first, _ in first }) }
        return series.indices.map { i in
            maps[(i + 1)...].filter { later in
                let shared = maps[i].compactMap { x, y in later[x].map { abs($0 - y) } }.filter(\.isFinite)
                return !shared.isEmpty && Double(shared.filter { $0 < 1.5 }.count) >= 0.8 * Double(shared.count)
            }.count
        }
    }

    /// Panels of line series side by side, each with its own legend (placed below the
    /// axes so that it never hides data), optional vertical markers and rug ticks.
    public static func lines(_ panels: [(title: String, yLabel: String, series: [Series], markers: [(Double, String)])],
                             xLabel: String, logX: Bool, logY: Bool = false, rug: [Double] = [], title: String = "") -> SVG {
        let panelWidth = 300.0, panelHeight = 220.0, margin = 75.0, gap = 75.0
        // Legend columns wide enough for the longest name (about 5.6 px per character at 10 px).
        let longest = panels.flatMap { $0.series.map(\.name.count) }.max() ?? 0
        let legendColumnWidth = max(100, 30 + Double(longest) * 5.6)
        let legendColumns = max(1, Int((panelWidth + 40) / legendColumnWidth))
        let legendRows = panels.map { ($0.series.count + legendColumns - 1) / legendColumns }.max() ?? 0
        let columns = min(3, max(panels.count, 1)), rows = (panels.count + columns - 1) / columns
        // Panels with the same series (the layers of gradient_snr) share one legend, below all.
        let names = panels.map { $0.series.map(\.name) }
        let sharedLegend = panels.count > 1 && names.allSatisfy { $0 == names[0] }
        let cellHeight = 60 + panelHeight + 50 + (sharedLegend ? 0 : Double(legendRows) * 16)
        let width = margin + Double(columns) * panelWidth + Double(columns - 1) * gap + 30
        let height = 20 + Double(rows) * cellHeight + (sharedLegend ? 10 + Double(legendRows) * 16 : 0)
        var svg = SVG(width: width, height: height)
        if !title.isEmpty { svg.title(title, y: 20, size: 15) }
        for (index, spec) in panels.enumerated() {
            let count = max(spec.series.count, 1)
            let palette = (0..<count).map(ColorMap.category)  // layers, train/test: categories, not a scale
            let top = 40 + Double(index / columns) * cellHeight + 20
            let left = margin + Double(index % columns) * (panelWidth + gap)
            let xs = spec.series.flatMap { $0.points.map(\.0) }.filter { $0.isFinite && (!logX || $0 > 0) }
            let ys = spec.series.flatMap { $0.points.map(\.1) }.filter { $0.isFinite && (!logY || $0 > 0) }
            let xDomain = (xs.min() ?? 0, xs.max() ?? 1)
            var yDomain = (ys.min() ?? 0, ys.max() ?? 1)
            if !logY { yDomain = (min(yDomain.0, 0), yDomain.1 + (yDomain.1 - min(yDomain.0, 0)) * 0.05) }
            let panel = Panel(left: left, top: top, width: panelWidth, height: panelHeight,
                              x: (logX ? .log : .linear, xDomain), y: (logY ? .log : .linear, yDomain),
                              title: spec.title, xLabel: xLabel, yLabel: spec.yLabel)
            panel.drawAxes(&svg)
            // The rug as one path of short vertical strokes.
            let ticks = rug.filter { $0 > 0 || !logX }.map { panel.x($0) }.filter(\.isFinite)
            if !ticks.isEmpty {
                let d = ticks.map { "M\(SVG.n($0)) \(SVG.n(top + panelHeight - 5))v5" }.joined()
                svg.raw("<path class=\"rug\" data-ticks=\"\(ticks.count)\" d=\"\(d)\" stroke=\"#999\" stroke-width=\"0.5\"/>")
            }
            for (value, label) in spec.markers {
                let px = panel.x(value)
                guard px.isFinite else { continue }
                svg.line(px, top, px, top + panelHeight, stroke: "#c0392b", width: 1, extra: " stroke-dasharray=\"4 3\" class=\"marker\"")
                svg.text(label, x: px + 3, y: top + 12, size: 9, extra: " fill=\"#c0392b\"")
            }
            for (s, series) in spec.series.enumerated() where !series.band.isEmpty {
                let band = series.band.filter { (!logX || $0.0 > 0) && $0.1.isFinite && $0.2.isFinite }
                guard band.count > 1 else { continue }
                // Clipped to the panel (a spread below zero on a log axis runs to its foot).
                func py(_ v: Double) -> Double {
                    let p = logY && v <= 0 ? top + panelHeight : panel.y(v)
                    return min(max(p.isFinite ? p : top + panelHeight, top), top + panelHeight)
                }
                let outline = band.map { (panel.x($0.0), py($0.2)) } + band.reversed().map { (panel.x($0.0), py($0.1)) }
                let d = outline.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(SVG.n($0.element.0)) \(SVG.n($0.element.1))" }.joined() + "Z"
                svg.raw("<path class=\"band\" d=\"\(d)\" fill=\"\(palette[s % palette.count])\" fill-opacity=\"0.18\" stroke=\"none\"/>")
            }
            let drawn = spec.series.map { $0.points.filter { (!logX || $0.0 > 0) && (!logY || $0.1 > 0) } }
            let covered = coveredCounts(drawn, pixel: { panel.y($0) })
            for (s, series) in spec.series.enumerated() {
                let points = drawn[s]
                // A line that later ones run on (hidden1 and hidden2 both at 12 bits) is drawn
                // wider under them, so that it shows as a rim rather than disappearing.
                panel.line(&svg, points, color: palette[s % palette.count], width: 1.6 + 2.4 * Double(covered[s]), dashed: series.dashed)
                if series.markEnds, let first = points.first, let last = points.last {
                    svg.circle(panel.x(first.0), panel.y(first.1), radius: 3.5, fill: "white",
                               extra: " stroke=\"\(palette[s % palette.count])\" stroke-width=\"1.5\" class=\"start\"")
                    svg.circle(panel.x(last.0), panel.y(last.1), radius: 3.5, fill: palette[s % palette.count], extra: " class=\"end\"")
                }
            }
            // Legend below the panel (once below the figure when shared).
            if sharedLegend && index != panels.count - 1 { continue }
            for (s, series) in spec.series.enumerated() {
                let lx = (sharedLegend ? margin : panel.left) + Double(s % legendColumns) * legendColumnWidth
                let ly = (sharedLegend ? 20 + Double(rows) * cellHeight + 14 : top + panelHeight + 52) + Double(s / legendColumns) * 16
                svg.line(lx, ly - 4, lx + 18, ly - 4, stroke: palette[s % palette.count], width: 2,
                         extra: series.dashed ? " stroke-dasharray=\"5 3\"" : "")
                svg.text(series.name, x: lx + 22, y: ly, size: 10, extra: " class=\"legend\"")
            }
        }
        return svg
    }
}
