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
        let legendTop = 60 + Double(rows) * (panelHeight + rowGap)
        var svg = SVG(width: width, height: legendTop + 30)
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
            panel.points(&svg, data.markers.map { ($0.x, $0.y, color($0.category)) }, radius: 3)
            for marker in data.markers {
                guard let label = marker.label, marker.x.isFinite, marker.y.isFinite else { continue }
                svg.text(label, x: panel.x(marker.x) + 5, y: panel.y(marker.y) - 5, size: 9, extra: " class=\"marker-label\"")
            }
            svg.raw("</g>")
        }
        var x = margin
        if let reference {
            svg.line(x, legendTop - 4, x + 18, legendTop - 4, stroke: "#222", width: 1.5)
            svg.text(reference, x: x + 24, y: legendTop, size: 10, extra: " class=\"legend\"")
            x += 34 + Double(reference.count) * 5.6
        }
        for (c, name) in categories.enumerated() {
            svg.circle(x + 4, legendTop - 4, radius: 4, fill: color(c))
            svg.text(name, x: x + 12, y: legendTop, size: 10, extra: " class=\"legend\"")
            x += 24 + Double(name.count) * 5.6
        }
        return svg
    }
}
