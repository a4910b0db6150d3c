import Foundation

extension Figures {
    /// Ten categorical colours (matplotlib's tab10), for class labels.
    public static let categorical = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// 2-D embeddings side by side (one panel per epoch), points coloured by class, a
    /// shared legend below; optionally a last panel with a layer's path through the
    /// information plane, the embedded epochs marked, so that clustering can be compared
    /// with compression.
    ///
    /// - Parameters:
    ///   - panels: per panel a title, `[point]` coordinates and `[point]` class labels.
    ///   - plane: the layer's (I(X;T), I(T;Y)) per logged epoch and the indices to mark.
    public static func embeddings(_ panels: [(title: String, points: [(Double, Double)], labels: [Int])],
                                  classNames: [String],
                                  plane: (title: String, ixt: [Double], ity: [Double], epochs: [Int], marked: [Int])? = nil,
                                  title: String = "") -> SVG {
        let size = 250.0, gap = 30.0, margin = 30.0
        let count = panels.count + (plane == nil ? 0 : 1)
        let width = margin * 2 + Double(count) * size + Double(max(count - 1, 0)) * gap + (plane == nil ? 0 : 40)
        let legendRows = (classNames.count + 4) / 5
        var svg = SVG(width: width, height: 60 + size + 30 + Double(legendRows) * 18 + 10)
        if !title.isEmpty { svg.title(title, y: 22, size: 14) }
        for (index, panel) in panels.enumerated() {
            let left = margin + Double(index) * (size + gap), top = 50.0
            let xs = panel.points.map(\.0), ys = panel.points.map(\.1)
            let (x0, x1) = (xs.min() ?? 0, xs.max() ?? 1), (y0, y1) = (ys.min() ?? 0, ys.max() ?? 1)
            let span = max(x1 - x0, y1 - y0, 1e-12) * 1.05
            let (cx, cy) = ((x0 + x1) / 2, (y0 + y1) / 2)
            svg.rect(x: left, y: top, width: size, height: size, fill: "none", stroke: "#999")
            svg.text(panel.title, x: left + size / 2, y: top - 8, size: 12, anchor: .middle, weight: "bold")
            // One path of small squares per class keeps the file small.
            var paths: [Int: String] = [:]
            for (p, label) in zip(panel.points, panel.labels) {
                let px = left + (p.0 - cx) / span * size + size / 2, py = top + size / 2 - (p.1 - cy) / span * size
                paths[label, default: ""] += "M\(SVG.n(px - 1.3)) \(SVG.n(py - 1.3))h2.6v2.6h-2.6z"
            }
            svg.raw("<g class=\"embedding\" data-points=\"\(panel.points.count)\">")
            for (label, d) in paths.sorted(by: { $0.key < $1.key }) {
                svg.raw("<path d=\"\(d)\" fill=\"\(categorical[label % categorical.count])\" fill-opacity=\"0.8\"/>")
            }
            svg.raw("</g>")
        }
        if let plane {
            let left = margin + Double(panels.count) * (size + gap) + 40, top = 50.0
            let xMax = max(plane.ixt.filter(\.isFinite).max() ?? 1, 1e-9) * 1.05, yMax = max(plane.ity.filter(\.isFinite).max() ?? 1, 1e-9) * 1.05
            let axes = Panel(left: left, top: top, width: size, height: size, x: (.linear, (0, xMax)), y: (.linear, (0, yMax)),
                             title: plane.title, xLabel: "I(X;T) in bits", yLabel: "I(T;Y) in bits")
            axes.drawAxes(&svg)
            axes.line(&svg, Array(zip(plane.ixt, plane.ity)), color: "#888", width: 1)
            for (n, index) in plane.marked.enumerated() where plane.ixt.indices.contains(index) {
                let color = ColorMap.viridis.color(plane.marked.count == 1 ? 0 : Double(n) / Double(plane.marked.count - 1))
                axes.points(&svg, [(plane.ixt[index], plane.ity[index], color)], radius: 4.5)
                svg.text("\(plane.epochs[index])", x: axes.x(plane.ixt[index]) + 6, y: axes.y(plane.ity[index]) - 6, size: 9)
            }
        }
        for (k, name) in classNames.enumerated() {
            let lx = margin + Double(k % 5) * 120, ly = 50 + size + 30 + Double(k / 5) * 18
            svg.rect(x: lx, y: ly - 8, width: 9, height: 9, fill: categorical[k % categorical.count])
            svg.text(name, x: lx + 14, y: ly, size: 10, extra: " class=\"legend\"")
        }
        return svg
    }
}
