import Networks
import Tensor

/// The inputs that drive a unit hardest (Zeiler & Fergus 2014, Fig. 2; Girshick et al.
/// 2014's pool5 figures), each cropped to the unit's ``ReceptiveField``.
public enum TopPatches {
    public struct Patch: Sendable {
        /// The row of the input among those searched.
        public var sample: Int
        public var value: Float
        /// Where in the layer's map the unit sits (0, 0 for Dense layers).
        public var row: Int, column: Int
        /// The crop, clipped to the image: `[rows.count, columns.count, channels]`.
        public var rows: Range<Int>, columns: Range<Int>
        public var pixels: [Float]
    }

    /// The `k` largest activations of `channel` of layer `layer` over `inputs`
    /// `[n, h, w, c]`: at the given position, or each input's maximum over positions when
    /// `position` is nil.
    /// - Complexity: one forward pass of the inputs (in batches of 256) to `layer`.
    public static func find(_ model: Sequential, inputs: Tensor, layer: Int, channel: Int, position: (row: Int, column: Int)?, k: Int) throws(FeatureVisualizationError) -> [Patch] {
        guard model.layers.indices.contains(layer) else { throw FeatureVisualizationError("layer \(layer) is outside 0..<\(model.layers.count)") }
        guard k >= 1 else { throw FeatureVisualizationError("k must be at least 1 (got \(k))") }
        let shape = model.outputShapes[layer]
        let channels = shape.last ?? 1
        guard (0..<channels).contains(channel) else { throw FeatureVisualizationError("\(model.layers[layer].name) has \(channels) channels; \(channel) is outside") }
        let spatial = shape.count == 3
        let (h, w) = spatial ? (shape[0], shape[1]) : (1, 1)
        if let position, !(0..<h).contains(position.row) || !(0..<w).contains(position.column) {
            throw FeatureVisualizationError("\(model.layers[layer].name) is \(h)×\(w); (\(position.row), \(position.column)) is outside")
        }
        var best: [(sample: Int, value: Float, row: Int, column: Int)] = []
        for start in stride(from: 0, to: inputs.rows, by: 256) {
            let batch = inputs.rows(start..<min(start + 256, inputs.rows))
            let output = model.forward(batch, through: layer)[layer].output
            let size = output.rowSize
            for b in 0..<batch.rows {
                var top = (value: -Float.infinity, row: 0, column: 0)
                for r in 0..<h {
                    for c in 0..<w {
                        if let position, position.row != r || position.column != c { continue }
                        let v = output.scalars[b * size + (r * w + c) * channels + channel]
                        if v > top.value { top = (v, r, c) }
                    }
                }
                best.append((start + b, top.value, top.row, top.column))
            }
        }
        best.sort { ($0.value, -$0.sample) > ($1.value, -$1.sample) }
        let input = model.inputShape
        let (H, W, C) = input.count == 3 ? (input[0], input[1], input[2]) : (1, input.reduce(1, *), 1)
        return best.prefix(k).map { entry in
            var rows = 0..<H, columns = 0..<W
            if spatial, let field = ReceptiveField(model: model, layer: layer, row: entry.row, column: entry.column) {
                (rows, columns) = field.clipped(height: H, width: W)
            }
            var pixels: [Float] = []
            let base = entry.sample * inputs.rowSize
            for y in rows { for x in columns { for ch in 0..<C { pixels.append(inputs.scalars[base + (y * W + x) * C + ch]) } } }
            return Patch(sample: entry.sample, value: entry.value, row: entry.row, column: entry.column, rows: rows, columns: columns, pixels: pixels)
        }
    }
}
