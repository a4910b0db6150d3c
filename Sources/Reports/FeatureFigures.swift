import Analysis
import Attribution
import Embedding
import FeatureVisualization
import Foundation
import HDF5
import Networks
import Plotting
import Recording
import Tensor

/// Captioned images in a grid: drawn as SVG for files, as PNG tiles for HTML reports.
package struct ImageGridFigure: Sendable {
    package var images: [FeatureFigures.Image]
    package var columns: Int
    package var cell: Double
    package var title: String

    package init(_ images: [FeatureFigures.Image], columns: Int, cell: Double, title: String) {
        self.images = images
        self.columns = columns
        self.cell = cell
        self.title = title
    }

    package var svg: SVG { Figures.imageGrid(images, columns: columns, cell: cell, title: title) }

    /// HTML: one inline PNG per image with its caption, `columns` to a row, each image
    /// `cell` pixels wide.
    package var html: String {
        var out = "<div class=\"grid\" style=\"display:grid;grid-template-columns:repeat(\(max(1, min(columns, images.count))), \(Int(cell) + 8)px);gap:6px\">\n"
        for image in images {
            let png = PNGImage(values: image.pixels, width: image.width, height: image.height, style: image.style)
            let scale = cell / Double(max(image.width, image.height))
            out += "<figure style=\"width:\(Int(cell) + 8)px\"><img src=\"\(png.dataURI)\" alt=\"\" style=\"width:\(Int(Double(image.width) * scale))px;height:\(Int(Double(image.height) * scale))px\">"
            out += "<figcaption>\(image.caption.replacingOccurrences(of: "<", with: "&lt;"))</figcaption></figure>\n"
        }
        return out + "</div>\n"
    }
}

/// The figures of `infoplane visualize`: each draws one feature-visualisation tool's
/// output for a model rebuilt from a run file, and returns lines for the terminal.
package enum FeatureFigures {
    package typealias Image = (pixels: [Float], height: Int, width: Int, caption: String, style: Figures.ImageStyle)

    /// A layer by name, or the first layer of a kind.
    package static func layerIndex(_ model: Sequential, _ name: String?, kind: LayerKind? = nil) throws -> Int {
        if let name {
            guard let index = model.layers.firstIndex(where: { $0.name == name }) else {
                throw FeatureVisualizationError("no layer \(name); layers: \(model.layers.map(\.name).joined(separator: ", "))")
            }
            return index
        }
        guard let kind, let index = model.layers.firstIndex(where: { $0.kind == kind }) else {
            throw FeatureVisualizationError("the model has no \(kind?.rawValue ?? "such") layer")
        }
        return index
    }

    package static func imageSize(_ shape: [Int]) -> (Int, Int, Int) {
        shape.count == 3 ? (shape[0], shape[1], shape[2]) : (1, shape.reduce(1, *), 1)
    }

    /// A `[h, w, c]` sample as grid pixels: RGB when c = 3, channels summed otherwise.
    package static func picture(_ values: [Float], shape: [Int], caption: String, style: Figures.ImageStyle = .grey) -> Image {
        let (h, w, c) = imageSize(shape)
        if c == 3 && style == .grey { return (values, h, w, caption, .rgb) }
        var plane = [Float](repeating: 0, count: h * w)
        for i in plane.indices { for k in 0..<c { plane[i] += values[i * c + k] } }
        return (plane, h, w, caption, style)
    }

    /// Conv kernels, each normalised to its own range: the first conv layer's as one
    /// image per filter (RGB for 3 input channels), deeper layers' as one row per filter
    /// with one image per input channel.
    package static func filters(_ model: Sequential, layer name: String?) throws -> (ImageGridFigure, [String]) {
        let index = try layerIndex(model, name, kind: .conv2d)
        guard let conv = model.layers[index] as? Conv2D else { throw FeatureVisualizationError("\(model.layers[index].name) is not a Conv2D layer") }
        let (kh, kw, cin, cout) = (conv.kernelHeight, conv.kernelWidth, conv.inputChannels, conv.outputChannels)
        let k = conv.parameters[0].scalars
        var images: [Image] = []
        if cin == 3 || cin == 1 {
            for f in 0..<cout {
                var pixels: [Float] = []
                for y in 0..<kh { for x in 0..<kw { for c in 0..<cin { pixels.append(k[((y * kw + x) * cin + c) * cout + f]) } } }
                images.append((pixels, kh, kw, "filter \(f)", cin == 3 ? .rgb : .grey))
            }
            return (ImageGridFigure(images, columns: min(cout, 8), cell: 64, title: "\(conv.name): \(cout) kernels \(kh)×\(kw)×\(cin)"),
                    ["\(conv.name): \(cout) kernels of \(kh)×\(kw)×\(cin)"])
        }
        for f in 0..<cout {
            for c in 0..<cin {
                var pixels: [Float] = []
                for y in 0..<kh { for x in 0..<kw { pixels.append(k[((y * kw + x) * cin + c) * cout + f]) } }
                images.append((pixels, kh, kw, "f\(f) c\(c)", .relevance))
            }
        }
        return (ImageGridFigure(images, columns: cin, cell: 40, title: "\(conv.name): rows are filters, columns input channels (red +, blue −)"),
                ["\(conv.name): \(cout) filters × \(cin) input channels of \(kh)×\(kw)"])
    }

    /// The top-k inputs of each channel, cropped to the receptive field.
    package static func patches(_ model: Sequential, inputs: Tensor, layer name: String, channels: [Int]?, k: Int,
                               position: (row: Int, column: Int)?) throws -> (ImageGridFigure, [String]) {
        let index = try layerIndex(model, name)
        let count = model.outputShapes[index].last ?? 1
        let chosen = channels ?? Array(0..<min(count, 8))
        var images: [Image] = [], lines: [String] = []
        if model.outputShapes[index].count == 3,
           let field = ReceptiveField(model: model, layer: index, row: position?.row ?? 0, column: position?.column ?? 0) {
            lines.append("\(model.layers[index].name): receptive field \(field.size)×\(field.size) pixels")
        }
        for channel in chosen {
            let found = try TopPatches.find(model, inputs: inputs, layer: index, channel: channel, position: position, k: k)
            for patch in found {
                let channels = model.inputShape.count == 3 ? model.inputShape[2] : 1
                images.append(picture(patch.pixels, shape: [patch.rows.count, patch.columns.count, channels],
                                      caption: "c\(channel) #\(patch.sample): \(String(format: "%.2f", patch.value))"))
            }
            lines.append("channel \(channel): top activations " + found.map { String(format: "%.3f (#%d)", $0.value, $0.sample) }.joined(separator: ", "))
        }
        let title = k >= 6 ? "\(model.layers[index].name): the \(k) inputs that activate each channel most, cropped to the receptive field" : "\(model.layers[index].name): top \(k) per channel"
        return (ImageGridFigure(images, columns: k, cell: 72, title: title), lines)
    }

    /// Activation maximisation for each objective (rows) and regularisation preset (columns).
    package static func maximize(_ model: Sequential, objectives: [(name: String, objective: FeatureObjective)], presets: [String],
                                steps: Int, stepSize: Float, bounds: (low: Float, high: Float), seed: UInt64) throws -> (ImageGridFigure, [String]) {
        var images: [Image] = [], lines: [String] = []
        for (name, objective) in objectives {
            for preset in presets {
                guard let regularization = ActivationMaximization.Regularization.presets[preset] else {
                    throw FeatureVisualizationError("unknown preset \(preset); known: \(ActivationMaximization.Regularization.presets.keys.sorted().joined(separator: ", "))")
                }
                let result = try ActivationMaximization(objective: objective, regularization: regularization, steps: steps, stepSize: stepSize,
                                                        bounds: bounds, seed: seed).run(model)
                images.append(picture(result.image, shape: model.inputShape, caption: "\(name), \(preset)"))
                lines.append(String(format: "%@ (%@): %.3f → %.3f", name, preset, result.objective.first ?? .nan, result.objective.last ?? .nan))
            }
        }
        return (ImageGridFigure(images, columns: presets.count, cell: 96, title: presets.count > 2 ? "Activation maximisation: rows are targets, columns regularisations" : "Activation maximisation"), lines)
    }

    /// Inversions of each input's representation at each layer (rows), several starts.
    package static func invert(_ model: Sequential, inputs: Tensor, rows: [Int], layers names: [String], starts: Int, steps: Int,
                              bounds: (low: Float, high: Float), seed: UInt64) throws -> (ImageGridFigure, [String]) {
        var images: [Image] = [], lines: [String] = []
        for row in rows {
            let target = Array(inputs.scalars[(row * inputs.rowSize)..<((row + 1) * inputs.rowSize)])
            for name in names {
                let index = try layerIndex(model, name)
                images.append(picture(target, shape: model.inputShape, caption: "#\(row) original"))
                let results = try Inversion(layer: index, steps: steps, bounds: bounds, seed: seed).run(model, target: target, starts: starts)
                for (s, r) in results.enumerated() {
                    images.append(picture(r.image, shape: model.inputShape, caption: "from \(name), start \(s + 1)"))
                }
                lines.append("#\(row) from \(name): loss " + results.map { String(format: "%.3f → %.3f (representation %.3f)", $0.loss.first ?? .nan, $0.loss.last ?? .nan, $0.representationError) }.joined(separator: "; "))
            }
        }
        return (ImageGridFigure(images, columns: starts + 1, cell: 96, title: "Inversion: the original, then reconstructions"), lines)
    }

    /// The lecture's "guess what's here": the probability of the true class when a grey
    /// square covers each place (the mean over the windows covering the pixel).
    package static func occlusion(_ model: Sequential, inputs: Tensor, labels: [Int], window: Int, stride: Int, baseline: Float) throws -> (ImageGridFigure, [String]) {
        let method = Occlusion(window: (window, window), stride: (stride, stride), baseline: baseline, score: .probability)
        let attribution = try method.attribute(model, inputs: inputs, target: .classes(labels))
        let probabilities = model.probabilities(inputs)
        let width = probabilities.rowSize
        var images: [Image] = [], lines: [String] = []
        for b in 0..<inputs.rows {
            let p = probabilities.scalars[b * width + labels[b]]
            let x = Array(inputs.scalars[(b * inputs.rowSize)..<((b + 1) * inputs.rowSize)])
            images.append(picture(x, shape: model.inputShape, caption: "class \(labels[b]), p = \(String(format: "%.2f", p))"))
            let covered = attribution.sample(b).map { p - $0 }
            var map = picture(covered, shape: model.inputShape, caption: "p(class \(labels[b])) when covered", style: .sequential)
            let channels = model.inputShape.last ?? 1
            if channels > 1 { map.pixels = map.pixels.map { $0 / Float(channels) } }
            images.append(map)
            lines.append(String(format: "class %d: p = %.3f, lowest when covered %.3f", labels[b], p, map.pixels.min() ?? .nan))
        }
        return (ImageGridFigure(images, columns: 2 * min(inputs.rows, 4), cell: 96,
                                  title: model.inputShape.count == 3 ? "Occlusion: p(true class) with a \(window)×\(window) square over each place"
                                      : window == 1 ? "Occlusion: p(true class) with each input set to the baseline"
                                      : "Occlusion: p(true class) with each run of \(window) inputs set to the baseline"), lines)
    }
}

extension FeatureFigures {
    /// t-SNE of a layer's recorded activations at chosen logged epochs, each initialised
    /// with the previous epoch's embedding; next to the layer's path through the
    /// information plane when the run's folder has an analysis.h5.
    package static func tsne(_ run: RunFile, layer name: String, epochs wanted: [Int]?, samples: Int?, tsne: TSNE, dataFile: String? = nil) throws -> (SVG, [String]) {
        guard let layer = run.layers.firstIndex(where: { $0.name == name }) else {
            throw FeatureVisualizationError("no layer \(name) in the run; layers: \(run.layers.map(\.name).joined(separator: ", "))")
        }
        let logged = run.loggedEpochs
        guard !logged.isEmpty else { throw FeatureVisualizationError("the run has no logged epoch yet") }
        let epochs = wanted ?? Self.spread(logged, count: 4)
        let positions = try epochs.map { epoch -> Int in
            guard let p = logged.firstIndex(of: epoch) else { throw FeatureVisualizationError("epoch \(epoch) is not logged; logged: \(logged.first!)…\(logged.last!)") }
            return p
        }
        let allLabels = try run.labels().map(Int.init)
        let count = min(samples ?? allLabels.count, allLabels.count)
        let rows = Array(0..<count)
        var tensors: [Tensor] = []
        for p in positions {
            let t = try run.activations(layer: layer, loggedIndex: p)
            tensors.append(t.gatherRows(rows))
        }
        let start = Date()
        let embeddings = try tsne.sequence(tensors)
        let seconds = Date().timeIntervalSince(start)
        let labels = rows.map { allLabels[$0] }
        let classes = (labels.max() ?? 0) + 1
        var lines: [String] = []
        if let dataFile {
            try writeEmbeddings(dataFile, run: run, layer: name, epochs: epochs, embeddings: embeddings, labels: labels, perplexity: tsne.perplexity)
            lines.append("embeddings of the \(epochs.count) epochs: \(dataFile)")
        }
        // The figure shows at most six epochs, spread over those embedded.
        let shown = epochs.count <= 6 ? Array(epochs.indices) : (0..<6).map { $0 * (epochs.count - 1) / 5 }
        let panels = shown.map { k in
            (title: "epoch \(epochs[k])", points: embeddings[k].points.map { ($0.x, $0.y) }, labels: labels)
        }
        let neighbours = min(10, count / 4)
        for (k, e) in embeddings.enumerated() {
            lines.append(String(format: "epoch %d: KL %.3f, trustworthiness(%d) %.4f", epochs[k], e.klDivergence, neighbours,
                                EmbeddingQuality.trustworthiness(data: tensors[k], embedding: e.points, k: neighbours)))
        }
        lines.append(String(format: "%d points × %d epochs embedded in %.1f s (%@)", count, epochs.count, seconds, embeddings.first?.exact == true ? "exact gradient" : "Barnes–Hut"))
        var plane: (title: String, ixt: [Double], ity: [Double], epochs: [Int], marked: [Int])?
        let analysisPath = (PathComponent.folder(of: run.path) as NSString).appendingPathComponent("analysis.h5")
        if FileManager.default.fileExists(atPath: analysisPath), let analysis = try? AnalysisFile.read(analysisPath),
           let label = analysis.mainLabel(configuredIn: run.config, file: run.path), let l = analysis.layers.firstIndex(of: name),
           let ixt = analysis.ixtMean[label], let ity = analysis.ityMean[label] {
            plane = ("\(name), \(analysis.displayTitle(label))", ixt.map { $0[l] }, ity.map { $0[l] }, analysis.epochs,
                     shown.compactMap { analysis.epochs.firstIndex(of: epochs[$0]) })
            lines.append("information plane from \(analysisPath) (\(analysis.displayTitle(label)), mean over runs)")
        }
        let svg = Figures.embeddings(panels, classNames: (0..<classes).map { "class \($0)" }, plane: plane,
                                     title: "t-SNE of \(name) (\(count) samples, perplexity \(Int(tsne.perplexity))), each epoch started from the previous one")
        return (svg, lines)
    }

    /// The embeddings as HDF5: `/embedding` `[epoch, sample, 2]` float64, `/epochs`,
    /// `/labels`, `/kl_divergence`, attributes `run`, `layer`, `perplexity`.
    package static func writeEmbeddings(_ path: String, run: RunFile, layer: String, epochs: [Int], embeddings: [TSNE.Embedding], labels: [Int], perplexity: Double) throws {
        try FileManager.default.createDirectory(atPath: PathComponent.folder(of: path), withIntermediateDirectories: true)
        let file = try H5File.create(path, overwrite: true)
        try file.setAttribute("run", run.path)
        try file.setAttribute("layer", layer)
        try file.setAttribute("perplexity", perplexity)
        let n = labels.count
        _ = try file.writeDataset("embedding", embeddings.flatMap { $0.points.flatMap { [$0.x, $0.y] } }, shape: [epochs.count, n, 2])
        _ = try file.writeDataset("epochs", epochs.map(Int64.init))
        _ = try file.writeDataset("labels", labels.map(Int64.init))
        _ = try file.writeDataset("kl_divergence", embeddings.map(\.klDivergence))
    }

    /// `count` logged epochs spread evenly on a log scale (first and last included).
    package static func spread(_ logged: [Int], count: Int) -> [Int] {
        guard logged.count > count, let first = logged.first, let last = logged.last else { return logged }
        let low = log(Double(max(first, 1))), high = log(Double(max(last, 1)))
        var chosen: [Int] = []
        for k in 0..<count {
            let target = exp(low + (high - low) * Double(k) / Double(count - 1))
            let nearest = logged.min { abs(Double($0) - target) < abs(Double($1) - target) } ?? last
            if !chosen.contains(nearest) { chosen.append(nearest) }
        }
        if first == 0 && !chosen.contains(0) { chosen[0] = 0 }
        return chosen.sorted()
    }
}
