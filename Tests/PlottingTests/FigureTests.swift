import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Plotting
import Testing
import TestSupport

@Suite("Plotting")
struct FigureTests {
    @Test func niceTicks() {
        #expect(Scale(.linear, domain: (0, 12.2), range: (0, 100)).ticks() == [0, 2, 4, 6, 8, 10, 12])
        #expect(Scale(.linear, domain: (0, 1.04), range: (0, 100)).ticks() == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(Scale(.log, domain: (1, 10000), range: (0, 100)).ticks() == [1, 10, 100, 1000, 10000])
        #expect(Scale(.log, domain: (1, 10000), range: (0, 100)).label(1000) == "1000")
        // One notation on an axis: 0.001 … 10000 as decimals (gradient_snr mixed "1" and "1e-1").
        let snr = Scale(.log, domain: (1e-3, 100), range: (0, 100))
        #expect(snr.ticks().map(snr.label) == ["0.001", "0.01", "0.1", "1", "10", "100"])
        #expect(Scale(.log, domain: (1e-6, 1), range: (0, 100)).label(1e-6) == "1e-6")
        let s = Scale(.linear, domain: (0, 10), range: (50, 150))
        #expect(s(5) == 100)
    }

    /// Axes over values at the edge of Double's range (an analysis holding ±1e308, a
    /// span that rounds to nothing) give ticks instead of trapping on a conversion to Int.
    @Test(arguments: [(-1e308, 1e308), (1e308, 1e308), (-Double.infinity, Double.infinity), (Double.nan, 1), (0, 1e300), (1e-320, 2e-320)] as [(Double, Double)])
    func ticksAtTheEdgesOfDouble(_ low: Double, _ high: Double) {
        let scale = Scale(.linear, domain: (low, high), range: (0, 100))
        let ticks = scale.ticks()
        #expect(!ticks.isEmpty && ticks.allSatisfy(\.isFinite), "\(low)…\(high): \(ticks)")
        #expect(scale.domain.0 < scale.domain.1)
        _ = ticks.map(scale.label)
    }

    @Test func colourMaps() {
        #expect(ColorMap.viridis.color(0) == "#440154")
        #expect(ColorMap.viridis.color(1) == "#fde725")
        #expect(ColorMap.diverging.color(0.5) == "#f7f7f7")
    }

    static func parse(_ svg: SVG) throws -> XMLDocument {
        try XMLDocument(data: Data(svg.text.utf8), options: [])
    }

    @Test func informationPlaneStructure() throws {
        let epochs = Array(stride(from: 0, to: 1000, by: 10))
        let ixt = epochs.map { e in (0..<4).map { 12 - Double($0) * 2 - Double(e) / 1000 } }
        let ity = epochs.map { e in (0..<4).map { _ in Double(e) / 1000 } }
        let names = ["hidden1", "hidden2", "hidden3", "output"]
        let panels = [PlaneData(title: "binning", epochs: epochs, ixt: ixt, ity: ity, layerNames: names),
                      PlaneData(title: "kde", epochs: epochs, ixt: ixt, ity: ity, layerNames: names)]
        let svg = Figures.informationPlane(panels, hx: 12, hy: 1, title: "test")
        let document = try Self.parse(svg)
        let planes = try document.nodes(forXPath: "//*[local-name()='g'][@class='plane']")
        #expect(planes.count == 2)
        #expect(try document.nodes(forXPath: "//*[local-name()='g'][@class='colorbar']").count == 1)
        // Thin lines joining the layers of an epoch, at most 40 per panel (100 epochs here),
        // spread in log(epoch + 1) with the first and last epoch among them.
        let connectors = try document.nodes(forXPath: "//*[local-name()='path'][@class='epoch-line']").count
        #expect(connectors > 2 * 20 && connectors <= 2 * 40, "\(connectors)")
        let chosen = Figures.connectorIndices(epochs, count: 40)
        #expect(chosen.first == 0 && chosen.last == epochs.count - 1 && chosen == chosen.sorted() && Set(chosen).count == chosen.count)
        #expect(Figures.connectorIndices([0, 5, 9], count: 40) == [0, 1, 2])
        // The colour bar: epoch 0 and the last epoch (990) are labelled ends, decades between.
        let barTicks = try document.nodes(forXPath: "//*[local-name()='text'][@class='colorbar-tick']").compactMap(\.stringValue)
        #expect(barTicks == ["0", "10", "100", "990"], "\(barTicks)")
        // The x axis spans 0 to H(X): its ticks end at 12.
        let xTicks = try document.nodes(forXPath: "//*[local-name()='text'][@class='xtick']").compactMap(\.stringValue)
        #expect(xTicks.prefix(7) == ["0", "2", "4", "6", "8", "10", "12"])
        // Points are grouped into paths by colour, far fewer elements than points.
        let points = try document.nodes(forXPath: "//*[local-name()='path'][@class='points']")
        #expect(!points.isEmpty && points.count < epochs.count * 4)
        #expect(svg.text.utf8.count < 120_000)
    }

    /// Five estimators: two rows of at most three panels (page width), each panel its own
    /// I(X;T) range when the scales differ.
    @Test func informationPlaneGrid() throws {
        let epochs = [0, 10, 100]
        func panel(_ title: String, _ scale: Double) -> PlaneData {
            PlaneData(title: title, epochs: epochs, ixt: epochs.map { _ in [scale, scale / 2] }, ity: epochs.map { _ in [0.5, 0.4] },
                      layerNames: ["a", "b"])
        }
        let one = Figures.informationPlane([panel("one", 12)], hx: 12, hy: 1)
        let svg = Figures.informationPlane((1...5).map { panel("p\($0)", $0 == 5 ? 12 : 0.3) }, hx: 12, hy: 1, columns: 3, sharedX: false)
        #expect(svg.width == Figures.informationPlane((1...3).map { panel("p\($0)", 1) }, hx: 12, hy: 1).width)
        #expect(svg.height > 1.8 * one.height)
        let document = try Self.parse(svg)
        #expect(try document.nodes(forXPath: "//*[local-name()='g'][@class='plane']").count == 5)
        // The small-scale panels end their axis near 0.3 bits, not at 12.
        let xTicks = try document.nodes(forXPath: "//*[local-name()='text'][@class='xtick']").compactMap(\.stringValue)
        #expect(xTicks.contains("0.3") && xTicks.contains("12"), "\(xTicks)")
    }

    /// A long title on a one-panel figure is set smaller so that it fits the width.
    @Test func titlesFitTheFigure() throws {
        let plane = PlaneData(title: "p", epochs: [0, 1], ixt: [[1, 2], [3, 4]], ity: [[0.1, 0.2], [0.5, 0.6]], layerNames: ["a", "b"])
        let title = "tishby2017: mean of 50 runs (bars: ±1 s.d. at the last epoch)"
        let svg = Figures.informationPlane([plane], hx: 12, hy: 1, title: title)
        let match = try #require(svg.text.range(of: #"font-size="([0-9.]+)"[^>]*font-weight="bold" class="figure-title""#, options: .regularExpression))
        let size = Double(svg.text[match].split(separator: "\"")[1]) ?? 99
        #expect(0.6 * size * Double(title.count) <= svg.width - 16 && size < 15, "\(size)")
    }

    /// A title too long for one line even at 10 px (the linear network's settings) is set
    /// on two lines, each within the width, broken after a comma near the middle.
    @Test func longTitlesTakeTwoLines() throws {
        let title = "simulation: 100 Gaussian inputs (100 relevant), 10 linear hidden units, 100 samples, teacher noise σ₀² = 1.0, "
            + "layer noise σ² = 1.0, full-batch gradient descent at rate 0.001 for 20000 epochs"
        let svg = Figures.lines([("errors", "mse", [Figures.Series(name: "train", points: [(1, 2), (10, 1)])], []),
                                 ("information", "bits", [Figures.Series(name: "I(X;T)", points: [(1, 0), (10, 1)])], [])],
                                xLabel: "epoch", logX: true, title: title)
        let pattern = try NSRegularExpression(pattern: #"font-size="([0-9.]+)"[^>]*class="figure-title">([^<]*)</text>"#)
        let text = svg.text
        let lines = pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { m in
            (Double(String(text[Range(m.range(at: 1), in: text)!])) ?? 99, String(text[Range(m.range(at: 2), in: text)!]))
        }
        #expect(lines.count == 2 && lines[0].1.hasSuffix(",") && lines.map(\.1).joined(separator: " ") == title, "\(lines)")
        for (size, line) in lines { #expect(0.6 * size * Double(line.count) <= svg.width - 16 && size >= 8, "\(size) \(line)") }
    }

    /// Layers converged to one point (hidden1 and hidden2 at (12, 1) in the IB-bound
    /// figure) stay visible: the earlier one is a larger disc under the later, a ring.
    @Test func coincidingMarkersShowAsRings() throws {
        let markers = [Marker(x: 12, y: 1, category: 0), Marker(x: 12, y: 1, category: 1), Marker(x: 12, y: 1, category: 1), Marker(x: 3, y: 0.9, category: 2)]
        let svg = Figures.traces([(title: "p", traces: [], markers: markers)], categories: ["hidden1", "hidden2", "hidden3"], xLabel: "x", yLabel: "y").text
        let pattern = try NSRegularExpression(pattern: #"<circle cx="([-0-9.]+)" cy="([-0-9.]+)" r="([0-9.]+)" fill="([^"]+)" class="marker""#)
        let circles = pattern.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).map { m in
            (Double(String(svg[Range(m.range(at: 3), in: svg)!])) ?? 0, String(svg[Range(m.range(at: 4), in: svg)!]))
        }
        #expect(circles.count == 4)
        #expect(circles.first?.0 == 4.6 && circles.first?.1 == ColorMap.category(0), "the first layer under the others, larger: \(circles)")
        #expect(circles.dropFirst().allSatisfy { $0.0 == 3 }, "\(circles)")
    }

    /// Layer labels keep off the error bars (quick's plane: hidden4's bar ran through the
    /// "hidden1–hidden3" label) and inside the frame.
    @Test func layerLabelsAvoidErrorBars() throws {
        let names = ["hidden1", "hidden2", "hidden3", "hidden4", "hidden5"]
        var plane = PlaneData(title: "p", epochs: [0, 1], ixt: [[0, 0, 0, 0, 0], [12, 12, 12, 10.3, 5]], ity: [[0, 0, 0, 0, 0], [1, 1, 1, 0.99, 0.98]],
                              layerNames: names)
        plane.finalSpread = [(0.01, 0.001), (0.01, 0.001), (0.1, 0.002), (1.0, 0.01), (1.7, 0.01)]
        let svg = Figures.informationPlane([plane], hx: 12, hy: 1)
        let text = svg.text
        func matches(_ pattern: String) throws -> [[String]] {
            let regex = try NSRegularExpression(pattern: pattern)
            return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { m in
                (1..<m.numberOfRanges).map { String(text[Range(m.range(at: $0), in: text)!]) }
            }
        }
        let labels = try matches(#"<text x="([-0-9.]+)" y="([-0-9.]+)"[^>]*text-anchor="(\w+)"[^>]*class="layer-label"[^>]*>([^<]*)</text>"#)
        let bars = try matches(#"<path d="M([-0-9.]+) ([-0-9.]+)L([-0-9.]+) ([-0-9.]+)"[^>]*class="spread""#).map { $0.compactMap(Double.init) }
        #expect(labels.count == 3 && bars.count >= 6)
        for label in labels {
            let x = Double(label[0]) ?? .nan, y = Double(label[1]) ?? .nan, width = Double(label[3].count) * 5.2
            let box = label[2] == "end" ? (x - width, y - 10, x, y) : (x, y - 10, x + width, y)
            #expect(box.0 >= 70 && box.1 >= 60, "\(label[3]) leaves the frame")
            for bar in bars where bar.count == 4 {
                let (x0, x1, y0, y1) = (min(bar[0], bar[2]) - 1, max(bar[0], bar[2]) + 1, min(bar[1], bar[3]) - 1, max(bar[1], bar[3]) + 1)
                #expect(!(box.0 < x1 && x0 < box.2 && box.1 < y1 && y0 < box.3), "\(label[3]) crosses an error bar \(bar)")
            }
        }
    }

    /// The spread over runs at the last epoch: one horizontal and one vertical bar per layer.
    @Test func finalSpreadBars() throws {
        var plane = PlaneData(title: "p", epochs: [0, 1], ixt: [[1, 2], [3, 4]], ity: [[0.1, 0.2], [0.5, 0.6]], layerNames: ["a", "b"])
        #expect(!Figures.informationPlane([plane], hx: 12, hy: 1).text.contains("class=\"spread\""))
        plane.finalSpread = [(0.5, 0.05), (0.2, 0.01)]
        let svg = Figures.informationPlane([plane], hx: 12, hy: 1).text
        #expect(svg.components(separatedBy: "class=\"spread\"").count - 1 == 4)
    }

    /// Layers ending close together (but not at one place) get labels that do not overlap.
    @Test func layerLabelsDoNotOverlap() throws {
        let names = ["hidden1", "hidden2", "hidden3", "hidden4"]
        // As in quick's plane: three layers end together at (12, 1) ("hidden1–hidden3", drawn
        // leftwards), the fourth 1.7 bits left of them and 0.02 bits lower, under that label.
        let plane = PlaneData(title: "p", epochs: [0, 1], ixt: [[0, 0, 0, 0], [12, 12, 12, 10.3]], ity: [[0, 0, 0, 0], [1, 1, 1, 0.98]],
                              layerNames: names)
        let svg = Figures.informationPlane([plane], hx: 12, hy: 1).text
        let pattern = try NSRegularExpression(pattern: #"<text x="([-0-9.]+)" y="([-0-9.]+)"[^>]*text-anchor="(\w+)"[^>]*class="layer-label"[^>]*>([^<]*)</text>"#)
        let matches = pattern.matches(in: svg, range: NSRange(svg.startIndex..., in: svg))
        let labels = matches.map { m in (1...4).map { String(svg[Range(m.range(at: $0), in: svg)!]) } }
        #expect(labels.count == 2)
        let boxes = labels.map { field -> (Double, Double, Double, Double) in
            let x = Double(field[0]) ?? .nan, y = Double(field[1]) ?? .nan, width = Double(field[3].count) * 5.2
            return field[2] == "end" ? (x - width, y - 10, x, y) : (x, y - 10, x + width, y)
        }
        for i in boxes.indices { for j in boxes.indices where i < j {
            let (a, b) = (boxes[i], boxes[j])
            #expect(!(a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3), "\(labels[i][3]) overlaps \(labels[j][3])")
        } }
    }

    @Test func linesAndPNG() throws {
        let x = (1...100).map(Double.init)
        let svg = Figures.lines([("loss", "nats", [Figures.Series(name: "train", points: x.map { ($0, 1 / $0) }),
                                                  Figures.Series(name: "test", points: x.map { ($0, 2 / $0) }, dashed: true)],
                                  [(30, "transition")])],
                                xLabel: "epoch", logX: true, logY: true, rug: [1, 10, 50])
        let document = try Self.parse(svg)
        #expect(try document.nodes(forXPath: "//*[local-name()='path'][@class='series']").count == 2)
        #expect(try document.nodes(forXPath: "//*[local-name()='line'][@class='marker']").count == 1)
        let rug = try document.nodes(forXPath: "//*[local-name()='path'][@class='rug']/@data-ticks").compactMap(\.stringValue)
        #expect(rug == ["3"])
        #expect(try document.nodes(forXPath: "//*[local-name()='text'][@class='legend']").compactMap(\.stringValue) == ["train", "test"])
        // Bands (mean ± spread) under their lines; panels with the same series share one legend.
        let banded = Figures.lines([("a", "y", [Figures.Series(name: "mean", points: x.map { ($0, 1 / $0) }, band: x.map { ($0, 0.5 / $0, 2 / $0) })], []),
                                    ("b", "y", [Figures.Series(name: "mean", points: x.map { ($0, 1 / $0) })], [])],
                                   xLabel: "epoch", logX: true, logY: true)
        #expect(banded.text.components(separatedBy: "class=\"band\"").count - 1 == 1)
        #expect(banded.text.components(separatedBy: "class=\"legend\"").count - 1 == 1)
        // Series are categories: the categorical palette, one distinct colour each.
        let strokes = try document.nodes(forXPath: "//*[local-name()='path'][@class='series']/@stroke").compactMap(\.stringValue)
        #expect(strokes == [ColorMap.category(0), ColorMap.category(1)])
        #expect(Set(ColorMap.categories).count == 10)
        let folder = TestSupport.temporaryDirectory("plots").path
        let (files, note) = try svg.write(to: folder, name: "lines")
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/rsvg-convert") {
            #expect(note == nil && files.count == 2)
            let png = try Data(contentsOf: URL(fileURLWithPath: files[1]))
            #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        } else {
            #expect(note?.contains("rsvg-convert") == true)
        }
    }
}

@Suite("Plotting grids")
struct GridFigureTests {
    @Test func snapshotsHeatmapsAndImages() throws {
        let epochs = [0, 400, 999]
        let run = epochs.map { e in (0..<3).map { 12 - Double($0) * 3 - Double(e) / 1000 } }
        let snap = Figures.snapshots(epochs: epochs, ixt: [run, run, run, run], ity: [run.map { $0.map { $0 / 12 } }, run, run, run].map { $0.map { $0.map { min($0, 1) } } },
                                     layerNames: ["a", "b", "c"], chosen: [0, 1, 2], hx: 12, hy: 1)
        let document = try FigureTests.parse(snap)
        #expect(try document.nodes(forXPath: "//*[local-name()='g'][@class='snapshot']").count == 3)
        #expect(try document.nodes(forXPath: "//*[local-name()='path'][@class='run-line']").count == 12)

        let values: [[Double]] = [[0, 0, 0.5, 0.5], [0, 1, 0, 0]]
        let heat = Figures.heatmaps([("binning", values, ["a → b", "b → c"])], columns: [1, 10, 100, 1000], columnLabel: "epoch",
                                    logColumns: true, colorTitle: "bits")
        let heatDocument = try FigureTests.parse(heat)
        // Equal neighbours merge: row 0 has 2 runs of cells, row 1 has 3.
        #expect(try heatDocument.nodes(forXPath: "//*[local-name()='rect'][@class='cell']").count == 5)
        #expect(try heatDocument.nodes(forXPath: "//*[local-name()='g'][@class='colorbar']").count == 1)
        // A panel of zeros says so; one with values does not.
        let zeros = Figures.heatmaps([("kde", [[0, 0], [0, 0]], ["a → b", "b → c"]), ("binning", values.map { Array($0.prefix(2)) }, ["a → b", "b → c"])],
                                     columns: [1, 10], columnLabel: "epoch", logColumns: true, colorTitle: "bits", zeroNote: "no violations")
        #expect(zeros.text.components(separatedBy: "class=\"zero-note\"").count - 1 == 1)

        let grid = Figures.imageGrid([(pixels: (0..<16).map { Float($0) - 8 }, height: 4, width: 4, caption: "relevance", style: .relevance),
                                      (pixels: (0..<16).map(Float.init), height: 4, width: 4, caption: "input", style: .grey)], columns: 2)
        let gridDocument = try FigureTests.parse(grid)
        #expect(try gridDocument.nodes(forXPath: "//*[local-name()='g'][@class='image']").count == 2)
        #expect(try gridDocument.nodes(forXPath: "//*[local-name()='text'][@class='caption']").compactMap(\.stringValue) == ["relevance", "input"])
        // Relevance is centred on 0: the zero pixel is the diverging map's white.
        #expect(grid.text.contains("#f7f7f7"))
    }
}

/// The PNG encoder, decoded by Python's zlib and struct (no imaging library needed).
@Suite("PNG encoding")
struct PNGTests {
    @Test func pythonDecodesOurPNG() throws {
        let values: [Float] = (0..<(5 * 7)).map { Float($0) - 17 }
        let png = PNGImage(values: values, width: 7, height: 5, style: .relevance)
        let path = TestSupport.temporaryDirectory("png").appendingPathComponent("m.png").path
        try Data(png.encoded()).write(to: URL(fileURLWithPath: path))
        let result = try TestSupport.runPython("""
        import sys, struct, zlib
        data = open(sys.argv[1], "rb").read()
        assert data[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
        pos, chunks = 8, {}
        while pos < len(data):
            n, = struct.unpack(">I", data[pos:pos + 4]); kind = data[pos + 4:pos + 8]; body = data[pos + 8:pos + 8 + n]
            crc, = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
            assert crc == zlib.crc32(kind + body) & 0xffffffff, kind
            chunks[kind] = body; pos += 12 + n
        w, h, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
        raw = zlib.decompress(chunks[b"IDAT"])
        assert len(raw) == h * (1 + 3 * w)
        row = raw[2 * (1 + 3 * w) + 1:3 * (1 + 3 * w)]
        print(w, h, depth, colour, tuple(row[:3]), tuple(row[-3:]))
        """, [path])
        #expect(result.status == 0, "\(result.stderr)")
        // 7 × 5, 8-bit RGB; value 0 (row 2, column 3) is white-ish, −17 dark blue, +17 dark red.
        #expect(result.stdout.hasPrefix("7 5 8 2 "))
        let (r0, g0, b0) = ColorMap.diverging.rgb(0.5 + (-3.0) / 34)
        #expect(result.stdout.contains("(\(r0), \(g0), \(b0))"))
        #expect(png.dataURI.hasPrefix("data:image/png;base64,iVBORw0KGgo"))
    }
}
