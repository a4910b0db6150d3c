import Foundation

extension Figures {
    /// Snapshots of the information plane at a few epochs (Shwartz-Ziv & Tishby 2017,
    /// Fig. 2): one panel per chosen epoch; in each, every run's layers as points
    /// coloured by layer, joined by a thin line per run.
    /// - Parameters:
    ///   - runs: per run, `[epoch][layer]` of I(X;T) and I(T;Y).
    ///   - chosen: indices into `epochs` to show.
    public static func snapshots(epochs: [Int], ixt: [[[Double]]], ity: [[[Double]]], layerNames: [String],
                                 chosen: [Int], hx: Double, hy: Double, title: String = "", style: FigureStyle = FigureStyle()) -> SVG {
        let panelWidth = 260.0, panelHeight = 230.0, margin = 70.0, gap = 45.0
        let width = margin + Double(chosen.count) * panelWidth + Double(max(chosen.count - 1, 0)) * gap + 30
        var svg = SVG(width: width, height: panelHeight + 150)
        if !title.isEmpty { svg.title(title, y: 20, size: 15) }
        let colors = layerNames.indices.map(ColorMap.category)  // layers are categories, not a scale
        let xDomain = FigureStyle.domain(style.x, values: ixt.flatMap { $0.flatMap { $0 } }, ceiling: hx, headroom: 0.02)
        let yDomain = FigureStyle.domain(style.y, values: ity.flatMap { $0.flatMap { $0 } }, ceiling: hy, headroom: 0.04)
        for (p, e) in chosen.enumerated() {
            let panel = Panel(left: margin + Double(p) * (panelWidth + gap), top: 60, width: panelWidth, height: panelHeight,
                              x: (.linear, xDomain), y: (.linear, yDomain), title: "epoch \(epochs[e])",
                              xLabel: "I(X;T) in bits", yLabel: p == 0 ? "I(T;Y) in bits" : "")
            panel.drawAxes(&svg)
            panel.beginClipped(&svg, attributes: "class=\"snapshot\" data-runs=\"\(ixt.count)\"")
            for r in ixt.indices {
                panel.line(&svg, zip(ixt[r][e], ity[r][e]).map { ($0, $1) }, color: "#999", width: 0.5, opacity: 0.6, className: "run-line")
            }
            panel.points(&svg, ixt.indices.flatMap { r in layerNames.indices.map { (ixt[r][e][$0], ity[r][e][$0], colors[$0]) } }, radius: 2.6)
            svg.raw("</g>")
        }
        for (l, name) in layerNames.enumerated() {
            let lx = margin + Double(l) * 95, ly = 60 + panelHeight + 60
            svg.circle(lx + 4, ly - 4, radius: 4, fill: colors[l])
            svg.text(name, x: lx + 12, y: ly, size: 10, extra: " class=\"legend\"")
        }
        return svg
    }

    /// A heat map per panel: `values[row][column]` as coloured cells (runs of equal
    /// cells merged into one rectangle), with row labels, column positions on an axis,
    /// and a colour bar. `centred` uses the diverging map symmetric about 0 (relevance);
    /// otherwise viridis from the minimum (or 0) to the maximum, with exact zeros white.
    public static func heatmaps(_ panels: [(title: String, values: [[Double]], rows: [String])], columns: [Double],
                                columnLabel: String, logColumns: Bool, centred: Bool = false, colorTitle: String, title: String = "",
                                zeroNote: String? = nil) -> SVG {
        let panelWidth = 420.0, rowHeight = 22.0, margin = 110.0
        let heights = panels.map { Double($0.rows.count) * rowHeight }
        let height = 40 + panels.indices.reduce(0.0) { $0 + heights[$1] + 90 } + 10
        let width = margin + panelWidth + 110
        var svg = SVG(width: width, height: height)
        if !title.isEmpty { svg.title(title, y: 20, size: 15) }
        let all = panels.flatMap { $0.values.flatMap { $0 } }.filter(\.isFinite)
        let extreme = all.map(abs).max() ?? 1
        let low = centred ? -extreme : min(0, all.min() ?? 0), high = centred ? extreme : max(all.max() ?? 1, 1e-12)
        let bar = ColorBar(map: centred ? .diverging : .viridis, kind: .linear, domain: (low, high), left: width - 80, top: 70,
                           height: min(200, max(heights.max() ?? 100, 100)), title: colorTitle)
        var top = 70.0
        let firstColumn = columns.first ?? 0, lastColumn = columns.last ?? 1
        for (index, spec) in panels.enumerated() {
            let panel = Panel(left: margin, top: top, width: panelWidth, height: heights[index],
                              x: (logColumns ? .log : .linear, (max(firstColumn, logColumns ? 1 : firstColumn), max(lastColumn, 2))),
                              y: (.linear, (0, Double(spec.rows.count))), title: spec.title, xLabel: columnLabel)
            svg.raw("<g class=\"heatmap\" data-rows=\"\(spec.rows.count)\" data-columns=\"\(columns.count)\">")
            for (r, row) in spec.values.enumerated() {
                var c = 0
                while c < row.count {
                    var end = c + 1
                    while end < row.count && row[end] == row[c] { end += 1 }
                    let x0 = c == 0 ? panel.left : (panel.x(max(columns[c - 1], logColumns ? 1 : -Double.infinity)) + panel.x(max(columns[c], logColumns ? 1 : -Double.infinity))) / 2
                    let x1 = end >= row.count ? panel.left + panel.width : (panel.x(max(columns[end - 1], logColumns ? 1 : -Double.infinity)) + panel.x(max(columns[end], logColumns ? 1 : -Double.infinity))) / 2
                    let value = row[c]
                    let color = (!centred && value == 0) ? "#ffffff" : bar.color(value)
                    if x1 > x0, x0.isFinite, x1.isFinite {
                        svg.rect(x: x0, y: top + Double(r) * rowHeight, width: x1 - x0, height: rowHeight, fill: color, extra: " class=\"cell\"")
                    }
                    c = end
                }
                svg.text(spec.rows[r], x: margin - 6, y: top + (Double(r) + 0.65) * rowHeight, size: 10, anchor: .end)
            }
            svg.raw("</g>")
            var axes = panel
            axes.y = Scale(.linear, domain: (0, 1), range: (top + heights[index], top))
            axes.yLabel = ""
            svg.raw("<g class=\"heatmap-axes\">")
            for value in axes.x.ticks() {
                let px = axes.x(value)
                svg.line(px, top + heights[index], px, top + heights[index] + 4, stroke: "#333")
                svg.text(axes.x.label(value), x: px, y: top + heights[index] + 17, size: 11, anchor: .middle, extra: " class=\"xtick\"")
            }
            svg.rect(x: margin, y: top, width: panelWidth, height: heights[index], fill: "none", stroke: "#333")
            svg.text(columnLabel, x: margin + panelWidth / 2, y: top + heights[index] + 36, size: 12, anchor: .middle)
            svg.text(spec.title, x: margin + panelWidth / 2, y: top - 10, size: 13, anchor: .middle, weight: "bold")
            // A panel of zeros says so rather than looking empty.
            if let zeroNote, spec.values.allSatisfy({ $0.allSatisfy { $0 == 0 } }) {
                svg.text(zeroNote, x: margin + panelWidth / 2, y: top + heights[index] / 2 + 5, size: 13, anchor: .middle,
                         extra: " class=\"zero-note\" fill=\"#555\"")
            }
            svg.raw("</g>")
            top += heights[index] + 90
        }
        bar.draw(&svg)
        return svg
    }

    /// Images in a grid, each with its caption: inputs (grey), saliency (viridis) or
    /// relevance (diverging, centred on 0 per image). Images are `[height][width]` values.
    /// `rgb`: pixels interleaved `[h][w][3]`, each channel stretched min…max over the image.
    /// How an image's values become colours: grey and sequential stretch min…max; relevance
    /// is diverging, white at 0, scaled by the image's own largest |value|; `relevanceWithin(m)`
    /// the same on the fixed scale ±m (several maps compared on one scale); rgb is interleaved.
    public enum ImageStyle: Sendable, Equatable { case grey, sequential, relevance, relevanceWithin(Double), rgb }

    /// - Parameter columnTitles: names written once above the columns (a method per column)
    ///   instead of under every cell.
    public static func imageGrid(_ images: [(pixels: [Float], height: Int, width: Int, caption: String, style: ImageStyle)],
                                 columns: Int, cell: Double = 112, title: String = "", columnTitles: [String] = [],
                                 divergingLegend: String? = nil) -> SVG {
        let columns = max(1, min(columns, images.count))
        let rows = (images.count + columns - 1) / columns
        // Wide images (a 1 × 12 strip of inputs) get short rows.
        let aspect = min(1, images.map { Double($0.height) / Double(max($0.width, 1)) }.max() ?? 1)
        let rowHeight = cell * aspect
        let header = columnTitles.isEmpty ? 0.0 : 34.0
        let legend = divergingLegend == nil ? 0.0 : 46.0
        let width = Double(columns) * (cell + 16) + 16, height = 40 + header + Double(rows) * (rowHeight + 34) + legend
        var svg = SVG(width: width, height: height)
        if let divergingLegend {
            // The diverging scale as a bar, −m … 0 … +m, with what m is.
            let barWidth = 240.0, left = 16.0, top = height - 34, steps = 48
            svg.raw("<g class=\"diverging-legend\">")
            for k in 0..<steps {
                svg.rect(x: left + barWidth * Double(k) / Double(steps), y: top, width: barWidth / Double(steps) + 0.5, height: 10,
                         fill: ColorMap.diverging.color((Double(k) + 0.5) / Double(steps)))
            }
            svg.rect(x: left, y: top, width: barWidth, height: 10, fill: "none", stroke: "#333")
            for (t, label) in [(0.0, "−m"), (0.5, "0"), (1.0, "+m")] {
                svg.text(label, x: left + barWidth * t, y: top + 22, size: 10, anchor: .middle)
            }
            svg.text(divergingLegend, x: left + barWidth + 12, y: top + 9, size: 10)
            svg.raw("</g>")
        }
        if !title.isEmpty { svg.title(title, y: 22, size: 14) }
        for (c, name) in columnTitles.prefix(columns).enumerated() {
            // Two lines when long ("lrp:epsilon_plus_flat" → "lrp:" / "epsilon_plus_flat").
            let parts = name.count > 16 && name.contains(":") ? name.split(separator: ":", maxSplits: 1).map(String.init) : [name]
            for (k, part) in parts.enumerated() {
                svg.text(k == 0 && parts.count > 1 ? part + ":" : part, x: 16 + Double(c) * (cell + 16) + cell / 2, y: 52 + Double(k) * 12 - (parts.count > 1 ? 6 : 0),
                         size: 10, anchor: .middle, weight: "bold", extra: " class=\"column-title\"")
            }
        }
        for (index, image) in images.enumerated() {
            let left = 16 + Double(index % columns) * (cell + 16), top = 40 + header + Double(index / columns) * (rowHeight + 34)
            let finite = image.pixels.filter(\.isFinite)
            let low = Double(finite.min() ?? 0), high = Double(finite.max() ?? 1)
            let extreme = max(abs(low), abs(high), 1e-12)
            let size = cell / Double(max(image.width, image.height))
            svg.raw("<g class=\"image\" data-height=\"\(image.height)\" data-width=\"\(image.width)\">")
            for y in 0..<image.height {
                for x in 0..<image.width {
                    let v = image.style == .rgb ? 0 : Double(image.pixels[y * image.width + x])
                    let color: String
                    switch image.style {
                    case .grey:
                        let g = Self.byte((v - low) / max(high - low, 1e-12))
                        color = String(format: "#%02x%02x%02x", g, g, g)
                    case .sequential: color = ColorMap.viridis.color((v - low) / max(high - low, 1e-12))
                    case .relevance: color = ColorMap.diverging.color(0.5 + v / (2 * extreme))
                    case .relevanceWithin(let m): color = ColorMap.diverging.color(0.5 + v / (2 * max(m, 1e-12)))
                    case .rgb:
                        let base = (y * image.width + x) * 3
                        let channel = { (k: Int) in Self.byte((Double(image.pixels[base + k]) - low) / max(high - low, 1e-12)) }
                        color = String(format: "#%02x%02x%02x", channel(0), channel(1), channel(2))
                    }
                    svg.rect(x: left + Double(x) * size, y: top + Double(y) * size, width: size + 0.3, height: size + 0.3, fill: color)
                }
            }
            svg.raw("</g>")
            // A frame, so that white pixels at the edge stay visible.
            svg.rect(x: left, y: top, width: Double(image.width) * size, height: Double(image.height) * size, fill: "none",
                     stroke: "#bbb", extra: " stroke-width=\"0.6\" class=\"frame\"")
            svg.text(image.caption, x: left + cell / 2, y: top + rowHeight + 16, size: 10, anchor: .middle, extra: " class=\"caption\"")
        }
        return svg
    }
}

extension Figures {
    /// A fraction 0…1 as a colour byte 0…255; a NaN or a value outside (a non-finite
    /// pixel) is clamped, never converted to Int as it is.
    static func byte(_ fraction: Double) -> Int {
        guard fraction.isFinite else { return fraction == .infinity ? 255 : 0 }
        return Int((min(max(fraction, 0), 1) * 255).rounded())
    }
}
