import Foundation
import Plotting
import Recording
import SafeFiles

extension Comparison {
    /// What `write(to:)` produced.
    package struct Outcome: Sendable {
        package var folder: String
        package var files: [String]
        package var notes: [String]
    }

    /// Writes the comparison into `folder`: planes, layer_paths, training_curves and
    /// gradient_snr (SVG, PNG when rsvg-convert is installed), compare.csv and the
    /// self-contained compare.html (interactive plane per variant with a picker, the
    /// table, the figures inline).
    package func write(to folder: String) throws -> Outcome {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let lock = try WriterLock(for: folder + "/")
        defer { withExtendedLifetime(lock) {} }
        let (figures, drawnNotes) = try drawn()
        var notes = drawnNotes, files: [String] = []
        for i in figures.indices {
            let (written, note) = try figures[i].svg.write(to: folder, name: figures[i].name)
            files += written
            if let note, !notes.contains(note) { notes.append(note) }
        }
        let rows = try rows()
        let csv = (folder as NSString).appendingPathComponent("compare.csv")
        try AtomicFile.write(Self.table(rows, layers: layers).csv(), to: csv)
        let page = (folder as NSString).appendingPathComponent("compare.html")
        try AtomicFile.write(try html(rows: rows, figures: figures.map { ($0.caption, $0.svg) }), to: page)
        return Outcome(folder: folder, files: files + [csv, page], notes: notes)
    }

    /// The figures with the style applied, and the notes (the comparison's and a skipped figure's).
    func drawn() throws -> (figures: [(name: String, caption: String, svg: SVG)], notes: [String]) {
        var notes = notes
        var figures: [(name: String, caption: String, svg: SVG)] = [("planes", "Information planes on shared axes", planes())]
        if let paths = trajectories() { figures.append(("layer_paths", "Layers' paths in the information plane", paths)) }
        figures.append(("training_curves", "Training curves", try trainingCurves()))
        if let snr = try gradientSNR() {
            figures.append(("gradient_snr", "Gradient signal-to-noise ratio", snr))
        } else if !layers.isEmpty {
            notes.append("gradient_snr skipped: no variant has minibatch noise (full batches)")
        }
        for i in figures.indices { figures[i].svg.apply(style) }
        return (figures, notes)
    }

    /// compare.html in memory (what `infoplane serve` shows), its notes on the page.
    package func page() throws -> String {
        let (figures, notes) = try drawn()
        var html = try html(rows: try rows(), figures: figures.map { ($0.caption, $0.svg) })
        if !notes.isEmpty, let heading = html.range(of: "</h1>\n") {
            html.insert(contentsOf: notes.map { "<p class=\"note\">Note: \(SVG.escape($0))</p>\n" }.joined(), at: heading.upperBound)
        }
        return html
    }

    /// The page: a variant picker over interactive planes on the shared axes, the table,
    /// the static figures inline (as data URIs, so their ids never meet), the sources.
    func html(rows: [Row], figures: [(caption: String, svg: SVG)]) throws -> String {
        let (x, y) = axes
        let pages = variants.map { v -> InteractivePlane.Page in
            var page = InteractivePlane.page(v.figures)
            page.title = v.name
            page.main = max(0, page.estimators.firstIndex { $0.label == v.label } ?? 0)
            page.axes = .init(ixt: .init(.fixed(x.0, x.1)), ity: .init(.fixed(y.0, y.1)))
            return page
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(pages), as: UTF8.self).replacingOccurrences(of: "</", with: "<\\/")
        func e(_ text: String) -> String { SVG.escape(text) }
        func cell(_ value: (mean: Double, sd: Double)?, digits: Int = 3) -> String {
            guard let value, value.mean.isFinite else { return "–" }
            return String(format: "%.\(digits)f", value.mean) + (value.sd > 0 ? String(format: " ± %.\(digits)f", value.sd) : "")
        }
        var table = "<table id=\"final\"><tr><th>variant</th><th>runs</th><th>last epoch</th><th>test accuracy</th><th>train accuracy</th><th>test loss</th><th>estimator</th><th>DPI violations</th></tr>\n"
        for row in rows {
            table += "<tr><td>\(e(row.name))</td><td>\(row.runs)</td><td>\(row.lastEpoch)</td><td>\(cell(row.metrics["test_accuracy"]))</td>"
            table += "<td>\(cell(row.metrics["train_accuracy"]))</td><td>\(cell(row.metrics["test_loss"]))</td><td>\(e(row.estimator))</td><td>\(row.dpiViolations)</td></tr>\n"
        }
        table += "</table>\n"
        var information = ""
        if !layers.isEmpty {
            information = "<table id=\"information\"><tr><th>variant</th>" + layers.map { "<th>\(e($0)) I(X;T)</th><th>\(e($0)) I(T;Y)</th>" }.joined() + "</tr>\n"
            for row in rows {
                information += "<tr><td>\(e(row.name))</td>" + layers.map { layer in
                    guard let v = row.information[layer] else { return "<td>–</td><td>–</td>" }
                    return String(format: "<td>%.3f</td><td>%.3f</td>", v.ixt, v.ity)
                }.joined() + "</tr>\n"
            }
            information += "</table>\n"
        }
        let images = figures.map { figure in
            "<figure><img alt=\"\(e(figure.caption))\" src=\"data:image/svg+xml;base64,\(Data(figure.svg.text.utf8).base64EncodedString())\"><figcaption>\(e(figure.caption))</figcaption></figure>"
        }.joined(separator: "\n")
        let sources = rows.map { "<li>\(e($0.name)): \(e($0.analysis)) (\($0.runs) run\($0.runs == 1 ? "" : "s"))</li>" }.joined(separator: "\n")
        return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>infoplane comparison of \(variants.count) variants</title>
        <style>
        \(InteractivePlane.style)
        figure { margin: 16px 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
        </style></head><body>
        <h1>Comparison of \(variants.count) variants</h1>
        <p class="note">Final numbers at each variant's last logged epoch (mean ± 1 s.d. over its runs); information in bits
        by each variant's estimator, means over runs. The planes share the axes I(X;T) \(FigureStyle.describe(x)) bits and
        I(T;Y) \(FigureStyle.describe(y)) bits. Written by infoplane; no network access.</p>
        \(table)\(information)
        <h2>Information plane per variant</h2>
        <p><label>variant <select id="variant"></select></label></p>
        <div id="controls"></div>
        <div id="readout"></div>
        <div id="plane"></div>
        <script type="application/json" id="variants">\(json)</script>
        <script>
        \(InteractivePlane.script)
        </script>
        <script>
        (function () {
          const V = JSON.parse(document.getElementById("variants").textContent);
          const pick = document.getElementById("variant");
          V.forEach((page, i) => { const o = document.createElement("option"); o.value = i; o.textContent = page.title; pick.appendChild(o); });
          const show = () => mount(V[Number(pick.value)], document.getElementById("controls"), document.getElementById("readout"), document.getElementById("plane"));
          pick.onchange = show;
          show();
        })();
        </script>
        <h2>Figures</h2>
        \(images)
        <h2>Sources</h2>
        <ul>
        \(sources)
        </ul>
        </body></html>

        """
    }
}
