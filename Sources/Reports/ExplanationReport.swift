import Attribution
import Foundation
import HDF5
import Plotting
import Tensor

/// Writes an ``ExplanationStudy`` as a self-contained HTML page (maps inlined as PNG data
/// URIs, no scripts, no external files) and the maps as HDF5 for h5py, MATLAB or Julia.
package enum ExplanationReport {
    /// Writes `index.html` and `explanations.h5` into `folder`; returns their paths.
    package static func write(_ study: ExplanationStudy, to folder: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let html = (folder as NSString).appendingPathComponent("index.html")
        try render(study).write(toFile: html, atomically: true, encoding: .utf8)
        let h5 = (folder as NSString).appendingPathComponent("explanations.h5")
        try writeHDF5(study, to: h5)
        let (figures, _) = try overview(study).write(to: folder, name: "maps")
        return [html, h5] + figures
    }

    /// Every map as one figure (rows: inputs; columns: the input, then the methods), for
    /// READMEs and slides: `maps.svg` and, with rsvg-convert, `maps.png`.
    package static func overview(_ study: ExplanationStudy) -> SVG {
        var images: [FeatureFigures.Image] = []
        for b in study.rows.indices {
            images.append(FeatureFigures.picture(Array(study.inputs.scalars[(b * study.inputs.rowSize)..<((b + 1) * study.inputs.rowSize)]),
                                                 shape: study.inputShape, caption: "sample \(study.rows[b]), class \(study.targets[b])"))
            for m in study.methods {
                images.append(FeatureFigures.picture(m.attribution.sample(b), shape: Array(m.attribution.map.shape.dropFirst()),
                                                     caption: m.name, style: styleFor(m.name)))
            }
        }
        return Figures.imageGrid(images, columns: study.methods.count + 1, cell: study.inputShape.count == 3 ? 96 : 120,
                                 title: "\(study.experiment) at epoch \(study.epoch): red positive, blue negative")
    }

    /// `/inputs` `[n, input...]`, `/rows`, `/labels`, `/targets`, `/maps/<method>` `[n, map...]`
    /// (method names with `:` written as `_`), attributes `run`, `epoch`, `bias_convention`.
    package static func writeHDF5(_ study: ExplanationStudy, to path: String) throws {
        let file = try H5File.create(path, overwrite: true)
        try file.setAttribute("run", study.runPath)
        try file.setAttribute("epoch", Int64(study.epoch))
        try file.setAttribute("bias_convention", study.bias.rawValue)
        _ = try file.writeDataset("inputs", study.inputs.scalars, shape: study.inputs.shape)
        _ = try file.writeDataset("rows", study.rows.map(Int64.init))
        _ = try file.writeDataset("labels", study.labels.map(Int64.init))
        _ = try file.writeDataset("targets", study.targets.map(Int64.init))
        let maps = try file.createGroup("maps")
        for method in study.methods {
            let dataset = try maps.writeDataset(method.name.replacingOccurrences(of: ":", with: "_"), method.attribution.map.scalars,
                                                shape: method.attribution.map.shape)
            try dataset.setAttribute("method", method.name)
            try dataset.setAttribute("explained_logit", method.attribution.explained.map(Double.init))
        }
    }

    // MARK: HTML

    package static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    package static func format(_ value: Double, _ digits: Int = 3) -> String {
        value.isFinite ? String(format: "%.\(digits)f", value) : "–"
    }

    /// The mean of the finite values (NaN when there are none).
    package static func mean(_ values: [Double]) -> Double {
        let finite = values.filter(\.isFinite)
        return finite.isEmpty ? .nan : finite.reduce(0, +) / Double(finite.count)
    }

    /// A sample as an inline PNG: images `[h, w, c]` (RGB inputs in colour, otherwise
    /// channels summed), flat inputs as a 1 × n strip.
    package static func picture(_ values: [Float], shape: [Int], style: Figures.ImageStyle) -> String {
        let image = FeatureFigures.picture(values, shape: shape, caption: "", style: style)
        return PNGImage(values: image.pixels, width: image.width, height: image.height, style: image.style).dataURI
    }

    package static func styleFor(_ method: String) -> Figures.ImageStyle {
        method == "saliency" || method.hasPrefix("gradcam") ? .sequential : .relevance
    }

    package static func render(_ study: ExplanationStudy) -> String {
        var html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <title>infoplane explain: \(escape(study.experiment)), epoch \(study.epoch)</title>
        <style>
        body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1280px; color: #222; }
        table { border-collapse: collapse; margin: 8px 0 16px; } th, td { padding: 3px 9px; border-bottom: 1px solid #ddd; text-align: right; }
        th:first-child, td:first-child { text-align: left; } th { background: #f4f4f4; }
        .row { display: flex; flex-wrap: wrap; gap: 10px; margin-bottom: 18px; }
        figure { margin: 0; text-align: center; font-size: 11px; width: 132px; }
        figure img { width: 128px; image-rendering: pixelated; border: 1px solid #ccc; }
        figure.strip { width: 300px; } figure.strip img { width: 288px; height: 24px; }
        .note { color: #555; font-size: 12px; } code { background: #f4f4f4; padding: 0 3px; }
        .grid figure img { image-rendering: pixelated; border: 1px solid #ccc; }
        </style></head><body>
        <h1>Explanations of \(escape(study.experiment)) at epoch \(study.epoch)</h1>
        <p>Run <code>\(escape(study.runPath))</code>. Model: \(study.layers.map(escape).joined(separator: " → ")).
        \(study.rows.count) inputs (rows \(study.rows.map(String.init).joined(separator: ", ")) of the recorded samples), each explained
        for its \(study.explainsLabels ? "label" : "predicted class"). Input bounds:
        \(study.bounds.map { "[\(format(Double($0.low), 2)), \(format(Double($0.high), 2))]" } ?? "none (unbounded)"); bias convention:
        <code>\(study.bias.rawValue)</code>. Maps: red positive, blue negative, white 0, each scaled to its own largest |value|
        (saliency and Grad-CAM: viridis from their minimum to maximum).</p>

        """
        html += summaryTable(study)
        html += conservationTable(study)
        html += "<h2>Inputs and maps</h2>\n"
        for (b, row) in study.rows.enumerated() {
            let p = study.probabilities[b]
            let predicted = p.indices.max { p[$0] < p[$1] } ?? 0
            html += "<h3>Sample \(row): label \(study.labels[b]), predicted \(predicted) (p = \(format(Double(p[predicted]))))" +
                ", explained class \(study.targets[b])</h3>\n<div class=\"row\">\n"
            let strip = study.inputShape.count != 3
            let input = picture(Array(study.inputs.scalars[(b * study.inputs.rowSize)..<((b + 1) * study.inputs.rowSize)]), shape: study.inputShape, style: .grey)
            html += figure(input, caption: "input", strip: strip)
            for method in study.methods {
                let shape = Array(method.attribution.map.shape.dropFirst())
                let map = picture(method.attribution.sample(b), shape: shape, style: styleFor(method.name))
                let total = method.attribution.totals[b]
                html += figure(map, caption: "\(method.name)<br>Σ = \(format(total)), logit \(format(Double(method.attribution.explained[b])))", strip: strip)
            }
            html += "</div>\n"
        }
        html += sanityTable(study)
        if !study.features.isEmpty {
            html += "<h2>Feature visualisation</h2>\n<p class=\"note\">More with <code>infoplane visualize</code> (filters, top patches, maximisation, inversion, occlusion, t-SNE).</p>\n"
            for feature in study.features {
                html += "<h3>\(escape(feature.title))</h3>\n\(feature.figure.html)<p class=\"note\">\(escape(feature.note))</p>\n"
            }
        }
        html += "<p class=\"note\">Written by infoplane. Method definitions and conventions: docs/explanations.md.</p>\n</body></html>\n"
        return html
    }

    package static func figure(_ uri: String, caption: String, strip: Bool) -> String {
        "<figure\(strip ? " class=\"strip\"" : "")><img src=\"\(uri)\" alt=\"\"><figcaption>\(caption)</figcaption></figure>\n"
    }

    package static func summaryTable(_ study: ExplanationStudy) -> String {
        var html = "<h2>Summary across inputs</h2>\n<table><tr><th>method</th><th>ms per input</th><th>Σ map / logit (median)</th>"
        let faithful = study.faithfulnessSettings != nil
        if faithful { html += "<th>AOPC ↑ (random)</th><th>deletion AUC ↓ (random)</th><th>insertion AUC ↑ (random)</th>" }
        html += "<th>IG completeness gap</th><th>Spearman ρ, all layers randomised (|ρ|)</th></tr>\n"
        for m in study.methods {
            html += "<tr><td>\(escape(m.name))</td><td>\(format(m.seconds * 1000 / Double(max(study.rows.count, 1)), 2))</td><td>\(format(m.medianConservation))</td>"
            if let f = m.faithfulness {
                html += "<td>\(format(mean(f.aopc))) (\(format(mean(f.aopcRandom))))</td><td>\(format(mean(f.deletion))) (\(format(mean(f.deletionRandom))))</td>"
                html += "<td>\(format(mean(f.insertion))) (\(format(mean(f.insertionRandom))))</td>"
            } else if faithful {
                html += "<td></td><td></td><td></td>"
            }
            html += "<td>\(m.attribution.completenessGap.isEmpty ? "" : format(mean(m.attribution.completenessGap.map(abs)), 4))</td>"
            if let last = m.sanity.last {
                html += "<td>\(format(mean(last.spearman))) (\(format(mean(last.spearmanAbsolute))))</td>"
            } else {
                html += "<td></td>"
            }
            html += "</tr>\n"
        }
        html += "</table>\n"
        if let f = study.faithfulnessSettings {
            html += "<p class=\"note\">AOPC (Samek et al. 2017): mean drop of the explained logit as \(f.region == 1 ? "single elements" : "\(f.region)×\(f.region) regions") are replaced by \(f.replacement == .noise ? "uniform noise over the inputs' range" : "the value \(format(Double(f.baseline), 2))"), most relevant first, over \(f.steps) steps; higher is more faithful. Deletion / insertion (Petsiuk et al. 2018): area under the class probability as the most relevant regions are set to \(format(Double(f.baseline), 2)) / copied into a \(format(Double(f.baseline), 2)) image; lower / higher is better. In brackets: the same for random orders (mean of \(f.randomOrders)). \(f.replacement == .noise ? "On black-background images uniform noise favours random orders (noise on the background destroys the silhouette, noise on the object keeps it); --replacement baseline avoids that. " : "")Spearman ρ (Adebayo et al. 2018): correlation of the trained model's map with the map after randomising every layer; near 0 means the method depends on the model.</p>\n"
        }
        return html
    }

    package static func conservationTable(_ study: ExplanationStudy) -> String {
        let lrp = study.methods.filter { !$0.layerConservation.isEmpty }
        var html = "<h2>Conservation</h2>\n<p class=\"note\">LRP methods: the relevance total at each layer's input, divided by the explained logit (1 = conserved), mean over inputs. The last column is the output.</p>\n"
        if !lrp.isEmpty {
            let names = study.layers.map { String($0.split(separator: " ").first ?? "") } + ["output"]
            html += "<table><tr><th>method</th>" + names.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
            for m in lrp { html += "<tr><td>\(escape(m.name))</td>" + m.layerConservation.map { "<td>\(format($0))</td>" }.joined() + "</tr>\n" }
            html += "</table>\n"
        }
        html += "<table><tr><th>method</th><th>why Σ map may differ from the logit</th></tr>\n"
        for m in study.methods {
            html += "<tr><td>\(escape(m.name))</td><td style=\"text-align:left\">\(m.reasons.map(escape).joined(separator: "; "))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    package static func sanityTable(_ study: ExplanationStudy) -> String {
        let checked = study.methods.filter { !$0.sanity.isEmpty }
        guard let steps = checked.first?.sanity.map(\.layer) else { return "" }
        var html = "<h2>Sanity check: cascading randomisation</h2>\n<p class=\"note\">Layers are randomised from the output down (each column adds one); mean Spearman ρ between the trained model's map and the randomised model's, and in brackets of their absolute values.</p>\n"
        html += "<table><tr><th>method</th>" + steps.map { "<th>+ \(escape($0))</th>" }.joined() + "</tr>\n"
        for m in checked {
            html += "<tr><td>\(escape(m.name))</td>" + m.sanity.map { "<td>\(format(mean($0.spearman), 2)) (\(format(mean($0.spearmanAbsolute), 2)))</td>" }.joined() + "</tr>\n"
        }
        return html + "</table>\n"
    }
}
