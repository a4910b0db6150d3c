import Foundation
import SafeFiles

/// A small SVG writer: elements appended as text, numbers with at most two decimals so
/// files stay small, text escaped. Fonts: DejaVu Sans (installed with librsvg), then
/// any sans-serif.
public struct SVG {
    public let width: Double
    public let height: Double
    private(set) var body: [String] = []
    /// Every font size is multiplied by this when the file is written (``FigureStyle``).
    public var fontScale = 1.0
    /// The size the figure is shown at (the `width`/`height` attributes; the view box stays
    /// the layout's, so the drawing scales and keeps its aspect ratio); nil: the layout's.
    public var displaySize: (width: Double, height: Double)?

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// A number as short text: integers without decimals, others with up to two.
    static func n(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() && abs(rounded) < 1e15 { return String(Int(rounded)) }
        var text = String(format: "%.2f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    /// Text safe inside markup: `&`, `<`, `>` and `"` as entities.
    package static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    public mutating func raw(_ element: String) { body.append(element) }

    public mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil, extra: String = "") {
        body.append("<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" fill=\"\(fill)\"\(stroke.map { " stroke=\"\($0)\"" } ?? "")\(extra)/>")
    }

    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1, extra: String = "") {
        body.append("<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\"\(extra)/>")
    }

    /// A polyline as one path (no per-point elements). Points within 0.4 px of the last
    /// one kept are dropped (invisible at any zoom a figure is viewed at; 10,000 epochs of
    /// a log-scaled curve shrink to a few hundred points).
    public mutating func path(_ points: [(Double, Double)], stroke: String, width: Double = 1, opacity: Double = 1, extra: String = "") {
        var finite: [(Double, Double)] = []
        for point in points where point.0.isFinite && point.1.isFinite {
            if let last = finite.last, abs(point.0 - last.0) < 0.4 && abs(point.1 - last.1) < 0.4 { continue }
            finite.append(point)
        }
        if let end = points.last(where: { $0.0.isFinite && $0.1.isFinite }), let kept = finite.last, kept != end { finite.append(end) }
        guard finite.count > 1 else { return }
        let d = finite.enumerated().map { ($0.offset == 0 ? "M" : "L") + Self.n($0.element.0) + " " + Self.n($0.element.1) }.joined()
        body.append("<path d=\"\(d)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\"\(opacity < 1 ? " stroke-opacity=\"\(Self.n(opacity))\"" : "")\(extra)/>")
    }

    public mutating func circle(_ x: Double, _ y: Double, radius: Double, fill: String, extra: String = "") {
        guard x.isFinite && y.isFinite else { return }
        body.append("<circle cx=\"\(Self.n(x))\" cy=\"\(Self.n(y))\" r=\"\(Self.n(radius))\" fill=\"\(fill)\"\(extra)/>")
    }

    public enum Anchor: String { case start, middle, end }

    public mutating func text(_ string: String, x: Double, y: Double, size: Double = 12, anchor: Anchor = .start,
                              rotate: Double? = nil, weight: String? = nil, extra: String = "") {
        let transform = rotate.map { " transform=\"rotate(\(Self.n($0)) \(Self.n(x)) \(Self.n(y)))\"" } ?? ""
        body.append("<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" font-size=\"\(Self.n(size))\" text-anchor=\"\(anchor.rawValue)\"\(weight.map { " font-weight=\"\($0)\"" } ?? "")\(transform)\(extra)>\(Self.escape(string))</text>")
    }

    /// A bold title centred across the figure, its size reduced until it fits the width
    /// (about 0.6 em per character); one that would need less than 10 px is set on two
    /// lines around `y`, broken at the comma or space nearest its middle.
    public mutating func title(_ string: String, y: Double, size: Double = 15) {
        func fits(_ line: String) -> Double { ((width - 16) / (0.6 * Double(max(line.count, 1))) * 10).rounded(.down) / 10 }
        let lines = fits(string) >= 10 ? [string] : Self.halves(string)
        let limit = lines.map(fits).min() ?? size
        let fitted = max(8, min(size, limit))
        titleLimit = max(fitted, limit)
        for (i, line) in lines.enumerated() {
            let shift = lines.count == 1 ? 0 : (i == 0 ? -0.6 : 0.6) * fitted
            text(line, x: width / 2, y: y + shift, size: fitted, anchor: .middle, weight: "bold", extra: " class=\"figure-title\"")
        }
    }

    /// A long title in two lines: broken after the comma nearest the middle when one is
    /// within a quarter of the length from it, else at the space nearest the middle.
    static func halves(_ string: String) -> [String] {
        let characters = Array(string), middle = characters.count / 2
        func nearest(_ match: (Int) -> Bool) -> Int? {
            characters.indices.filter(match).min { abs($0 - middle) < abs($1 - middle) }
        }
        let comma = nearest { characters[$0] == " " && $0 > 0 && characters[$0 - 1] == "," }
        guard let cut = comma.flatMap({ abs($0 - middle) <= characters.count / 4 ? $0 : nil }) ?? nearest({ characters[$0] == " " }) else {
            return [string]
        }
        return [String(characters[..<cut]), String(characters[(cut + 1)...])]
    }

    public mutating func group(_ attributes: String, _ content: (inout SVG) -> Void) {
        body.append("<g \(attributes)>")
        content(&self)
        body.append("</g>")
    }

    /// Applies a style's type size and display size (the axis limits are the layouts').
    public mutating func apply(_ style: FigureStyle) {
        fontScale = style.fontScale
        if let size = style.size {
            // Only a width: the height follows the drawing's aspect ratio.
            displaySize = (size.width, size.height ?? size.width * height / max(width, 1))
        }
    }

    /// A unique id within this figure (clip paths), from a running count.
    mutating func uniqueID(_ prefix: String) -> String {
        identifiers += 1
        return "\(prefix)\(identifiers)"
    }
    private var identifiers = 0
    /// The largest size at which the title fits the width: a font scale never makes it wider.
    private var titleLimit = Double.infinity

    public var text: String {
        let shown = displaySize ?? (width, height)
        let elements = fontScale == 1 ? body : body.map { element in
            guard element.contains("class=\"figure-title\""), let size = Self.fontSize(element) else { return Self.scalingFonts(element, by: fontScale) }
            return Self.scalingFonts(element, by: min(fontScale, max(titleLimit / size, 1)))
        }
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.n(shown.width))" height="\(Self.n(shown.height))" viewBox="0 0 \(Self.n(width)) \(Self.n(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
        <rect width="100%" height="100%" fill="white"/>
        \(elements.joined(separator: "\n"))
        </svg>

        """
    }

    /// The first `font-size` of an element.
    static func fontSize(_ element: String) -> Double? {
        guard let start = element.range(of: " font-size=\"") else { return nil }
        return Double(element[start.upperBound...].prefix { $0 != "\"" })
    }

    /// An element with every `font-size="N"` this writer put in it multiplied by `factor`.
    static func scalingFonts(_ element: String, by factor: Double) -> String {
        let marker = " font-size=\""
        guard element.contains(marker) else { return element }
        var parts = element.components(separatedBy: marker)
        for i in parts.indices.dropFirst() {
            guard let end = parts[i].firstIndex(of: "\""), let size = Double(parts[i][..<end]) else { continue }
            parts[i] = n(size * factor) + parts[i][end...]
        }
        return parts.joined(separator: marker)
    }

    /// Writes `name.svg` in `folder` and, when `rsvg-convert` is installed, `name.png`
    /// at twice the size. Returns the files written and a note when PNG was skipped.
    /// Both are written beside and renamed into place (``AtomicFile``): a failed or killed
    /// conversion, or a full disk, leaves the previous figure whole, never a truncated one.
    @discardableResult
    public func write(to folder: String, name: String) throws -> (files: [String], note: String?) {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let svgPath = (folder as NSString).appendingPathComponent(name + ".svg")
        try AtomicFile.write(text, to: svgPath)
        guard let converter = Self.rsvgConvert else {
            return ([svgPath], "PNG skipped: rsvg-convert is not installed (Debian: librsvg2-bin)")
        }
        let pngPath = (folder as NSString).appendingPathComponent(name + ".png")
        try AtomicFile.replace(pngPath) { temporary in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: converter)
            process.arguments = ["--zoom=2", "--format=png", "--output=\(temporary)", svgPath]
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: temporary) else {
                throw FileSystemError("convert to PNG", path: svgPath, reason: "rsvg-convert exited with status \(process.terminationStatus)")
            }
        }
        return ([svgPath, pngPath], nil)
    }

    static let rsvgConvert: String? = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
}
