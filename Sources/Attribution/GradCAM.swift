import Networks
import Tensor

/// Grad-CAM (Selvaraju et al. 2017): for a convolutional layer's output A `[h, w, c]`,
/// the channel weights α_c = mean over positions of ∂y_target/∂A_c, the map
/// ReLU(Σ_c α_c A_c) `[h, w]`, upsampled bilinearly to the input's height and width
/// (PyTorch's `interpolate(mode: "bilinear", align_corners: false)`, as Captum's
/// `LayerAttribution.interpolate`).
///
/// The map has shape `[batch, H, W, 1]` whatever the input's channel count.
public struct GradCAM: AttributionMethod {
    /// The layer's name (its output after the activation is used).
    public var layer: String
    /// Apply the final ReLU (the paper's choice; Captum's `relu_attributions`).
    public var relu: Bool
    public init(layer: String, relu: Bool = true) {
        self.layer = layer
        self.relu = relu
    }
    public var name: String { "gradcam" }
    public var units: AttributionUnits { .score }
    public func conservationReasons(model: Sequential, bias: BiasConvention) -> [String] { AttributionUnits.notADecomposition(name) }

    public func attribute(_ model: Sequential, inputs: Tensor, target: Target) throws(ExplanationError) -> Attribution {
        guard let index = model.layers.firstIndex(where: { $0.name == layer }) else {
            throw ExplanationError("no layer named \(layer); layers: \(model.layers.map(\.name).joined(separator: ", "))")
        }
        guard model.outputShapes[index].count == 3, model.inputShape.count == 3 else {
            throw ExplanationError("Grad-CAM needs a layer with [height, width, channels] outputs on image inputs; \(layer) outputs \(model.outputShapes[index])")
        }
        let (traces, targets, logits) = try model.resolvedForward(inputs, target)
        let g = model.targetGradient(traces: traces, targets: targets, layer: index)
        let activations = traces[index].output
        let (h, w, c) = (model.outputShapes[index][0], model.outputShapes[index][1], model.outputShapes[index][2])
        let (H, W) = (model.inputShape[0], model.inputShape[1])
        var map = [Float](repeating: 0, count: inputs.rows * H * W)
        for b in 0..<inputs.rows {
            let base = b * h * w * c
            var alpha = [Float](repeating: 0, count: c)
            for p in 0..<(h * w) { for k in 0..<c { alpha[k] += g.scalars[base + p * c + k] } }
            for k in 0..<c { alpha[k] /= Float(h * w) }
            var cam = [Float](repeating: 0, count: h * w)
            for p in 0..<(h * w) {
                var sum: Float = 0
                for k in 0..<c { sum += alpha[k] * activations.scalars[base + p * c + k] }
                cam[p] = relu ? max(sum, 0) : sum
            }
            let up = Self.bilinear(cam, height: h, width: w, toHeight: H, toWidth: W)
            map.replaceSubrange((b * H * W)..<((b + 1) * H * W), with: up)
        }
        return Attribution(method: name, map: Tensor(shape: [inputs.rows, H, W, 1], scalars: map), targets: targets,
                           explained: Sequential.pick(logits, targets))
    }

    /// Bilinear resampling with half-pixel centres (align_corners = false): source
    /// coordinate (d + ½)·(in/out) − ½, clamped at 0, neighbours clamped at the edge.
    public static func bilinear(_ image: [Float], height: Int, width: Int, toHeight: Int, toWidth: Int) -> [Float] {
        func source(_ d: Int, _ input: Int, _ output: Int) -> (Int, Int, Float) {
            let s = max((Float(d) + 0.5) * Float(input) / Float(output) - 0.5, 0)
            let i0 = min(Int(s), input - 1)
            let i1 = min(i0 + 1, input - 1)
            return (i0, i1, s - Float(i0))
        }
        var out = [Float](repeating: 0, count: toHeight * toWidth)
        for y in 0..<toHeight {
            let (y0, y1, ly) = source(y, height, toHeight)
            for x in 0..<toWidth {
                let (x0, x1, lx) = source(x, width, toWidth)
                let top = (1 - lx) * image[y0 * width + x0] + lx * image[y0 * width + x1]
                let bottom = (1 - lx) * image[y1 * width + x0] + lx * image[y1 * width + x1]
                out[y * toWidth + x] = (1 - ly) * top + ly * bottom
            }
        }
        return out
    }
}
