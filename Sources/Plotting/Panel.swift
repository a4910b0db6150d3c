import Foundation
/// One set of axes on a figure: a frame, x and y scales, ticks, grid and titles.
public struct Panel {
    public var x: Scale
    public var y: Scale
    public var left: Double, top: Double, width: Double, height: Double
    public var title: String
    public var xLabel: String
    public var yLabel: String

    public init(left: Double, top: Double, width: Double, height: Double,
                x: (kind: Scale.Kind, domain: (Double, Double)), y: (kind: Scale.Kind, domain: (Double, Double)),
                title: String = "", xLabel: String = "", yLabel: String = "") {
        self.left = left
        self.top = top
        self.width = width
        self.height = height
        self.x = Scale(x.kind, domain: x.domain, range: (left, left + width))
        self.y = Scale(y.kind, domain: y.domain, range: (top + height, top))
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// Frame, grid, ticks with labels, axis titles and the panel title.
    public func drawAxes(_ svg: inout SVG) {
        svg.raw("<g class=\"axes\">")
        for value in x.ticks() {
            let px = x(value)
            svg.line(px, top, px, top + height, stroke: "#e6e6e6", width: 0.8)
            svg.line(px, top + height, px, top + height + 4, stroke: "#333", width: 1)
            svg.text(x.label(value), x: px, y: top + height + 17, size: 11, anchor: .middle, extra: " class=\"xtick\"")
        }
        for value in y.ticks() {
            let py = y(value)
            svg.line(left, py, left + width, py, stroke: "#e6e6e6", width: 0.8)
            svg.line(left - 4, py, left, py, stroke: "#333", width: 1)
            svg.text(y.label(value), x: left - 7, y: py + 4, size: 11, anchor: .end, extra: " class=\"ytick\"")
        }
        svg.rect(x: left, y: top, width: width, height: height, fill: "none", stroke: "#333", extra: " stroke-width=\"1\"")
        if !xLabel.isEmpty { svg.text(xLabel, x: left + width / 2, y: top + height + 36, size: 12, anchor: .middle) }
        if !yLabel.isEmpty { svg.text(yLabel, x: left - 42, y: top + height / 2, size: 12, anchor: .middle, rotate: -90) }
        if !title.isEmpty { svg.text(title, x: left + width / 2, y: top - 10, size: 13, anchor: .middle, weight: "bold") }
        svg.raw("</g>")
    }

    /// Points as zero-length round-capped strokes, one path per colour (far smaller
    /// than one element per point).
    public func points(_ svg: inout SVG, _ items: [(x: Double, y: Double, color: String)], radius: Double = 2.5, opacity: Double = 1) {
        var byColor: [String: [String]] = [:]
        for item in items {
            let px = x(item.x), py = y(item.y)
            guard px.isFinite, py.isFinite else { continue }
            byColor[item.color, default: []].append("M\(SVG.n(px)) \(SVG.n(py))h0")
        }
        for (color, moves) in byColor.sorted(by: { $0.key < $1.key }) {
            svg.raw("<path class=\"points\" d=\"\(moves.joined())\" stroke=\"\(color)\" stroke-width=\"\(SVG.n(2 * radius))\" stroke-linecap=\"round\"\(opacity < 1 ? " stroke-opacity=\"\(SVG.n(opacity))\"" : "")/>")
        }
    }

    /// Points of a few colours that must each stay visible (the layers where they
    /// converged): each a disc; a point within `radius` px of later points of other colours
    /// is drawn under them, larger by 1.6 px per colour on top, so coinciding points show as
    /// concentric rings, the first outermost.
    public func markers(_ svg: inout SVG, _ items: [(x: Double, y: Double, color: String)], radius: Double = 3) {
        let placed = items.map { (x: x($0.x), y: y($0.y), color: $0.color) }.filter { $0.x.isFinite && $0.y.isFinite }
        let radii = placed.indices.map { i in
            let above = Set(placed[(i + 1)...].filter { $0.color != placed[i].color && hypot($0.x - placed[i].x, $0.y - placed[i].y) < radius }.map(\.color))
            return radius + 1.6 * Double(above.count)
        }
        for i in placed.indices.sorted(by: { (radii[$0], -$0) > (radii[$1], -$1) }) {
            svg.circle(placed[i].x, placed[i].y, radius: radii[i], fill: placed[i].color, extra: " class=\"marker\" stroke=\"white\" stroke-width=\"0.6\"")
        }
    }

    /// Opens a group whose drawing is clipped to the frame (axis limits narrower than the
    /// data); close it with `svg.raw("</g>")`.
    public func beginClipped(_ svg: inout SVG, attributes: String) {
        let id = svg.uniqueID("frame")
        svg.raw("<clipPath id=\"\(id)\"><rect x=\"\(SVG.n(left))\" y=\"\(SVG.n(top))\" width=\"\(SVG.n(width))\" height=\"\(SVG.n(height))\"/></clipPath>")
        svg.raw("<g clip-path=\"url(#\(id))\" \(attributes)>")
    }

    /// Whether a data point lies inside the frame.
    public func contains(_ u: Double, _ v: Double) -> Bool {
        let px = x(u), py = y(v)
        return px.isFinite && py.isFinite && px >= left - 0.5 && px <= left + width + 0.5 && py >= top - 0.5 && py <= top + height + 0.5
    }

    /// A data polyline in this panel's coordinates.
    public func line(_ svg: inout SVG, _ values: [(Double, Double)], color: String, width: Double = 1.5, opacity: Double = 1, dashed: Bool = false, className: String = "series") {
        svg.path(values.map { (x($0.0), y($0.1)) }, stroke: color, width: width, opacity: opacity,
                 extra: " class=\"\(className)\"" + (dashed ? " stroke-dasharray=\"5 3\"" : ""))
    }
}

/// A vertical colour bar with ticks, for the epoch colouring of information planes.
public struct ColorBar {
    public var map: ColorMap
    public var scale: Scale
    public var left: Double, top: Double, height: Double
    public var title: String
    /// Added to a value before the scale: 1 puts epoch 0 at the foot of a log bar
    /// (log(epoch + 1)) instead of clamping it to epoch 1.
    public var offset: Double
    /// Tick values (in the data's units, before the offset); nil: the scale's own.
    public var tickValues: [Double]?

    public init(map: ColorMap, kind: Scale.Kind, domain: (Double, Double), left: Double, top: Double, height: Double, title: String,
                offset: Double = 0, ticks: [Double]? = nil) {
        self.map = map
        self.scale = Scale(kind, domain: (domain.0 + offset, domain.1 + offset), range: (top + height, top))
        self.left = left
        self.top = top
        self.height = height
        self.title = title
        self.offset = offset
        self.tickValues = ticks
    }

    /// An epoch colour bar on log(epoch + 1): epoch 0 at its foot, ticks at the first and
    /// last epoch and at the powers of ten between (the two ends are always labelled).
    public static func epochs(first: Int, last: Int, left: Double, top: Double, height: Double) -> ColorBar {
        let low = Double(max(first, 0)), high = Double(max(last, first + 1))
        var ticks = [low]
        var decade = 10.0
        while decade < high {
            // Powers of ten not crowding the ends (a tenth of the bar's log span apart).
            let span = log10(high + 1) - log10(low + 1)
            if decade > low, log10(decade + 1) - log10(low + 1) > span / 10, log10(high + 1) - log10(decade + 1) > span / 10 { ticks.append(decade) }
            decade *= 10
        }
        ticks.append(high)
        return ColorBar(map: .viridis, kind: .log, domain: (low, high), left: left, top: top, height: height,
                        title: "epoch (colour: log(epoch + 1))", offset: 1, ticks: ticks)
    }

    /// The colour of a value (its position along the bar).
    public func color(_ value: Double) -> String {
        map.color((scale.range.0 - scale(value + offset)) / height)
    }

    public func draw(_ svg: inout SVG) {
        svg.raw("<g class=\"colorbar\">")
        let steps = 64
        for s in 0..<steps {
            let y0 = top + height * Double(s) / Double(steps)
            svg.rect(x: left, y: y0, width: 14, height: height / Double(steps) + 0.5, fill: map.color(1 - (Double(s) + 0.5) / Double(steps)))
        }
        svg.rect(x: left, y: top, width: 14, height: height, fill: "none", stroke: "#333")
        let values = tickValues ?? scale.ticks(count: 5).map { $0 - offset }
        for value in values {
            let py = scale(value + offset)
            guard py.isFinite else { continue }
            svg.line(left + 14, py, left + 18, py, stroke: "#333")
            let text = tickValues != nil && value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : scale.label(value + offset)
            svg.text(text, x: left + 21, y: py + 4, size: 10, extra: " class=\"colorbar-tick\"")
        }
        // The title along the bar, beside its tick labels.
        svg.text(title, x: left + 62, y: top + height / 2, size: 11, anchor: .middle, rotate: 90)
        svg.raw("</g>")
    }
}
