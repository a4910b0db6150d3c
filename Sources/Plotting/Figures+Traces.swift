/// A polyline in a traces panel: a reference curve (category −1, black) or a path of
/// one category (a layer), optionally labelled at its end.
public struct Trace: Sendable {
    public var points: [(Double, Double)]
    public var category: Int
    public var dashed: Bool
    public var width: Double
    public var opacity: Double

    public init(_ points: [(Double, Double)], category: Int, dashed: Bool = false, width: Double = 1, opacity: Double = 1) {
        self.points = points
        self.category = category
        self.dashed = dashed
        self.width = width
        self.opacity = opacity
    }
}

/// A point of a traces panel, coloured by its category, with an optional label.
public struct Marker: Sendable {
    public var x: Double, y: Double
    public var category: Int
    public var label: String?

    public init(x: Double, y: Double, category: Int, label: String? = nil) {
        self.x = x
        self.y = y
        self.category = category
        self.label = label
    }
}

extension Figures {
    /// Panels of polylines and points on linear axes from 0: reference curves (black),
    /// paths and points coloured by category (Tableau 10), one legend for the figure
    /// naming the categories and, when given, what the black curves are.
    public static func traces(_ panels: [(title: String, traces: [Trace], markers: [Marker])], categories: [String],
                              xLabel: String, yLabel: String, reference: String? = nil, columns: Int = 3,
                              title: String = "") -> SVG {
        let panelWidth = 300.0, panelHeight = 250.0, margin = 70.0, gap = 55.0, rowGap = 75.0
        let perRow = max(1, min(columns, panels.count))
        let rows = (panels.count + perRow - 1) / perRow
        let width = margin + Double(perRow) * panelWidth + Double(max(perRow - 1, 0)) * gap + 30
        // The legend wraps onto as many lines as it needs.
        let itemWidths = (reference.map { [34 + Double($0.count) * 5.6] } ?? []) + categories.map { 24 + Double($0.count) * 5.6 }
        var legendLines = 1, lineWidth = 0.0
        for w in itemWidths {
            if lineWidth + w > width - margin - 10 && lineWidth > 0 { legendLines += 1; lineWidth = 0 }
            lineWidth += w
        }
        let legendTop = 60 + Double(rows) * (panelHeight + rowGap)
        var svg = SVG(width: width, height: legendTop + 18 * Double(legendLines) + 12)
        if !title.isEmpty { svg.title(title, y: 20, size: 15) }
        func color(_ category: Int) -> String { category < 0 ? "#222" : ColorMap.category(category) }
        for (index, data) in panels.enumerated() {
            let xs = data.traces.flatMap { $0.points.map(\.0) } + data.markers.map(\.x)
            let ys = data.traces.flatMap { $0.points.map(\.1) } + data.markers.map(\.y)
            let xMax = max(xs.filter(\.isFinite).max() ?? 1, 1e-3) * 1.05, yMax = max(ys.filter(\.isFinite).max() ?? 1, 1e-3) * 1.06
            let panel = Panel(left: margin + Double(index % perRow) * (panelWidth + gap), top: 60 + Double(index / perRow) * (panelHeight + rowGap),
                              width: panelWidth, height: panelHeight, x: (.linear, (0, xMax)), y: (.linear, (0, yMax)),
                              title: data.title, xLabel: xLabel, yLabel: index % perRow == 0 ? yLabel : "")
            panel.drawAxes(&svg)
            svg.raw("<g class=\"traces\" data-traces=\"\(data.traces.count)\" data-markers=\"\(data.markers.count)\">")
            for trace in data.traces {
                panel.line(&svg, trace.points, color: color(trace.category), width: trace.width, opacity: trace.opacity,
                           dashed: trace.dashed, className: trace.category < 0 ? "reference" : "path")
            }
            panel.markers(&svg, data.markers.map { ($0.x, $0.y, color($0.category)) }, radius: 3)
            for marker in data.markers {
                guard let label = marker.label, marker.x.isFinite, marker.y.isFinite else { continue }
                svg.text(label, x: panel.x(marker.x) + 5, y: panel.y(marker.y) - 5, size: 9, extra: " class=\"marker-label\"")
            }
            svg.raw("</g>")
        }
        var x = margin, y = legendTop
        func advance(_ w: Double) {
            if x + w > width - 10 && x > margin { x = margin; y += 18 }
        }
        if let reference {
            let w = 34 + Double(reference.count) * 5.6
            advance(w)
            svg.line(x, y - 4, x + 18, y - 4, stroke: "#222", width: 1.5)
            svg.text(reference, x: x + 24, y: y, size: 10, extra: " class=\"legend\"")
            x += w
        }
        for (c, name) in categories.enumerated() {
            let w = 24 + Double(name.count) * 5.6
            advance(w)
            svg.circle(x + 4, y - 4, radius: 4, fill: color(c))
            svg.text(name, x: x + 12, y: y, size: 10, extra: " class=\"legend\"")
            x += w
        }
        return svg
    }
}
