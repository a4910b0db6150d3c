import Attribution
import Foundation
import HDF5
import Mustache
import Plotting
import Tensor
import SafeFiles

/// Writes an ``ExplanationStudy`` as a self-contained HTML page (maps inlined as PNG data
/// URIs, no scripts, no external files) and the maps as HDF5 for h5py, MATLAB or Julia.
package enum ExplanationReport {
    /// Writes `index.html` and `explanations.h5` into `folder`; returns their paths.
    package static func write(_ study: ExplanationStudy, to folder: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let html = (folder as NSString).appendingPathComponent("index.html")
        try AtomicFile.write(render(study), to: html)
        let h5 = (folder as NSString).appendingPathComponent("explanations.h5")
        try writeHDF5(study, to: h5)
        let (figures, _) = try overview(study).write(to: folder, name: "maps")
        return [html, h5] + figures
    }

    /// Every map as one figure, for READMEs and slides (`maps.svg` and, with rsvg-convert,
    /// `maps.png`): columns are the input and then the methods, named once at the top;
    /// each sample has two rows, every map on its own scale (its largest |value| at full
    /// colour), then the signed maps on one scale shared by the sample's maps, ±m, so that
    /// maps whose sums differ a hundredfold do not look alike.
    package static func overview(_ study: ExplanationStudy) -> SVG {
        var images: [FeatureFigures.Image] = []
        for b in study.rows.indices {
            let input = Array(study.inputs.scalars[(b * study.inputs.rowSize)..<((b + 1) * study.inputs.rowSize)])
            let maps = study.methods.map { m in
                (m, FeatureFigures.picture(m.attribution.sample(b), shape: Array(m.attribution.map.shape.dropFirst()), caption: "", style: styleFor(m.name)))
            }
            let shared = maps.filter { $0.0.units == .logit }.flatMap { $0.1.pixels }.filter(\.isFinite).map { abs(Double($0)) }.max() ?? 1
            images.append(FeatureFigures.picture(input, shape: study.inputShape, caption: "\(study.className(study.targets[b])) (sample \(study.rows[b]))"))
            for (m, image) in maps {
                var own = image
                own.caption = "Σ \(format(m.attribution.totals[b], 2))"
                images.append(own)
            }
            images.append(FeatureFigures.picture(input, shape: study.inputShape, caption: "logit units: ±\(format(shared, 3))"))
            for (m, image) in maps {
                var same = image
                if m.units == .logit { same.style = .relevanceWithin(shared) }
                same.caption = m.units == .logit ? "" : "own scale"
                images.append(same)
            }
        }
        let target = study.explainsLabels ? "label" : "predicted class"
        return Figures.imageGrid(images, columns: study.methods.count + 1, cell: study.inputShape.count == 3 ? 96 : 120,
                                 title: "\(study.experiment), epoch \(study.epoch), \(target) explained; red +, blue −; "
                                     + "rows: each map on its own scale, then the maps in logit units on one scale per sample",
                                 columnTitles: ["input"] + study.methods.map(\.name),
                                 divergingLegend: "signed maps; m: a map's largest |value| (first rows), the sample's common scale (second rows, stated under the input)")
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

    /// The page: the template filled with the study's numbers (``template``).
    package static func render(_ study: ExplanationStudy) throws -> String {
        try MustacheTemplate(string: template).render(context(study))
    }

    /// Everything the template shows, as strings already formatted.
    package static func context(_ study: ExplanationStudy) -> [String: Any] {
        let faithful = study.faithfulnessSettings != nil
        let summary: [[String: Any]] = study.methods.map { m in
            var row: [String: Any] = ["name": m.name, "ms": format(m.seconds * 1000 / Double(max(study.rows.count, 1)), 2),
                                      "conservation": format(m.medianConservation), "faithful": faithful,
                                      "gap": m.attribution.completenessGap.isEmpty ? "" : format(mean(m.attribution.completenessGap.map(abs)), 4),
                                      "sanity": m.sanity.last.map { "\(format(mean($0.spearman))) (\(format(mean($0.spearmanAbsolute))))" } ?? ""]
            if let f = m.faithfulness {
                row["aopc"] = "\(format(mean(f.aopc))) (\(format(mean(f.aopcRandom))))"
                row["deletion"] = "\(format(mean(f.deletion))) (\(format(mean(f.deletionRandom))))"
                row["insertion"] = "\(format(mean(f.insertion))) (\(format(mean(f.insertionRandom))))"
            } else {
                row["aopc"] = ""; row["deletion"] = ""; row["insertion"] = ""
            }
            return row
        }
        let lrp = study.methods.filter { !$0.layerConservation.isEmpty }
        let strip = study.inputShape.count != 3
        let samples: [[String: Any]] = study.rows.enumerated().map { b, row in
            let p = study.probabilities[b]
            let predicted = p.indices.max { p[$0] < p[$1] } ?? 0
            let input = picture(Array(study.inputs.scalars[(b * study.inputs.rowSize)..<((b + 1) * study.inputs.rowSize)]),
                                shape: study.inputShape, style: .grey)
            let maps: [[String: Any]] = study.methods.map { method in
                ["uri": picture(method.attribution.sample(b), shape: Array(method.attribution.map.shape.dropFirst()), style: styleFor(method.name)),
                 "method": method.name, "total": format(method.attribution.totals[b]), "logit": format(Double(method.attribution.explained[b])),
                 "strip": strip]
            }
            // The signed maps again on one scale for the sample: the largest |value| among them.
            let signed = study.methods.filter { $0.units == .logit }
            let shared = signed.flatMap { $0.attribution.sample(b) }.filter(\.isFinite).map { abs(Double($0)) }.max() ?? 1
            let together: [[String: Any]] = signed.map { method in
                ["uri": picture(method.attribution.sample(b), shape: Array(method.attribution.map.shape.dropFirst()), style: .relevanceWithin(shared)),
                 "method": method.name, "strip": strip]
            }
            return ["row": row, "label": study.className(study.labels[b]), "predicted": study.className(predicted),
                    "probability": format(Double(p[predicted])), "target": study.className(study.targets[b]), "strip": strip, "input": input,
                    "maps": maps, "together": together, "shared": format(shared, 3)]
        }
        let checked = study.methods.filter { !$0.sanity.isEmpty }
        var context: [String: Any] = [
            "experiment": study.experiment, "epoch": study.epoch, "run": (study.runPath as NSString).lastPathComponent,
            "epochNote": study.epochNote, "seed": study.seed,
            "model": study.layers.joined(separator: " → "), "inputCount": study.rows.count,
            "rows": study.rows.map(String.init).joined(separator: ", "),
            "samplesSource": study.source.map { "the samples of \($0)" } ?? "the recorded samples",
            "explained": study.explainsLabels ? "label" : "predicted class",
            "bounds": study.bounds.map { "[\(format(Double($0.low), 2)), \(format(Double($0.high), 2))]" } ?? "none (unbounded)",
            "bias": study.bias.rawValue, "faithful": faithful, "summary": summary,
            "hasLayerConservation": !lrp.isEmpty,
            // Relevance entering each layer, then the explained logit itself.
            "layerNames": study.layers.indices.map { i in
                "into " + String(study.layers[i].split(separator: " ").first ?? "") + (study.onEveryPath.indices.contains(i) && !study.onEveryPath[i] ? " (branch)" : "")
            } + ["logit"],
            "hasBranches": study.onEveryPath.contains(false),
            "layerConservation": lrp.map { ["name": $0.name, "values": $0.layerConservation.map { format($0) }] as [String: Any] },
            "reasons": study.methods.map { ["name": $0.name, "reasons": $0.reasons.joined(separator: "; ")] },
            "samples": samples,
            "hasFeatures": !study.features.isEmpty,
            "features": study.features.map { ["title": $0.title, "figure": $0.figure.html, "note": $0.note] as [String: Any] },
        ]
        if let f = study.faithfulnessSettings { context["faithfulnessNote"] = faithfulnessNote(f, flat: strip) }
        if let steps = checked.first?.sanity.map(\.layer) {
            context["sanity"] = ["steps": steps,
                                 "rows": checked.map { m in
                                     ["name": m.name,
                                      "cells": m.sanity.map { "\(format(mean($0.spearman), 2)) (\(format(mean($0.spearmanAbsolute), 2)))" }] as [String: Any]
                                 }] as [String: Any]
        }
        return context
    }

    /// What the faithfulness columns measure, with this study's settings.
    package static func faithfulnessNote(_ f: Faithfulness, flat: Bool = false) -> String {
        // Flat inputs (an MLP's) are perturbed one input at a time whatever --region says.
        let regions = flat ? "single inputs" : f.region == 1 ? "single pixels" : "\(f.region)×\(f.region) regions"
        let replacement = f.replacement == .noise ? "uniform noise over the inputs' range" : "the value \(format(Double(f.baseline), 2))"
        let baseline = format(Double(f.baseline), 2)
        let caveat = f.replacement == .noise
            ? "On black-background images uniform noise favours random orders (noise on the background destroys the silhouette, noise on the object keeps it); --replacement baseline avoids that. "
            : ""
        return "AOPC (Samek et al. 2017): mean drop of the explained logit as \(regions) are replaced by \(replacement), most relevant first, over \(f.steps) steps; higher is more faithful. "
            + "Deletion / insertion (Petsiuk et al. 2018): area under the class probability as the most relevant regions are set to \(baseline) / copied into a \(baseline) image; lower / higher is better. "
            + "In brackets: the same for random orders (mean of \(f.randomOrders)). \(caveat)"
            + "Spearman ρ (Adebayo et al. 2018): correlation of the trained model's map with the map after randomising every layer; near 0 means the method depends on the model."
    }
}
