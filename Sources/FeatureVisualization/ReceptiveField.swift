import Networks

/// The input region a convolutional unit sees, computed analytically from kernel sizes,
/// strides and paddings (no gradients): an output index i of a layer with kernel k,
/// stride s and padding p reads inputs [i·s − p, i·s − p + k); composing down to the
/// input gives the unit's receptive field, size 1 + Σ_l (k_l − 1) Π_{m<l} s_m. E.g.
/// CaffeNet's conv5 (13×13) centre unit sees 163 × 163 pixels, rows and columns [32, 195).
public struct ReceptiveField: Sendable, Equatable {
    /// One spatial layer: kernel height and width, stride and padding (the same along
    /// rows and columns, as Conv2D and the pooling layers have them).
    public struct Step: Sendable, Equatable {
        public var kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int
        public init(kernel: Int, stride: Int = 1, padding: Int = 0) {
            self.init(kernelHeight: kernel, kernelWidth: kernel, stride: stride, padding: padding)
        }
        public init(kernelHeight: Int, kernelWidth: Int, stride: Int = 1, padding: Int = 0) {
            self.kernelHeight = kernelHeight
            self.kernelWidth = kernelWidth
            self.stride = stride
            self.padding = padding
        }
    }

    /// Input rows and columns, unclipped (they may extend into the padding).
    public var rows: Range<Int>
    public var columns: Range<Int>
    /// The side of a square field (its height).
    public var size: Int { rows.count }

    /// The field of output unit (`row`, `column`) after `steps` (first layer first).
    public init(steps: [Step], row: Int, column: Int) {
        var rows = row..<(row + 1), columns = column..<(column + 1)
        for step in steps.reversed() {
            rows = (rows.lowerBound * step.stride - step.padding)..<((rows.upperBound - 1) * step.stride - step.padding + step.kernelHeight)
            columns = (columns.lowerBound * step.stride - step.padding)..<((columns.upperBound - 1) * step.stride - step.padding + step.kernelWidth)
        }
        self.rows = rows
        self.columns = columns
    }

    /// The same clipped to an image of `height` × `width`.
    public func clipped(height: Int, width: Int) -> (rows: Range<Int>, columns: Range<Int>) {
        (max(rows.lowerBound, 0)..<min(rows.upperBound, height), max(columns.lowerBound, 0)..<min(columns.upperBound, width))
    }

    /// The spatial steps of the layers from the input to `layer` (included): Conv2D and
    /// pooling layers; activations and flatten do not move the field. Nil when a Dense
    /// layer comes first (its units see the whole input), and when a merge does (the
    /// field is then the union of its branches' fields, not one window: the whole input
    /// is shown).
    public static func steps(_ model: Sequential, through layer: Int) -> [Step]? {
        var path: [Int] = []
        var index = layer
        while index >= 0 {
            path.append(index)
            index = model.inputs[index][0]
        }
        var steps: [Step] = []
        for l in path.reversed() {
            switch model.layers[l].spec {
            case .conv2d(_, let kernel, let stride, let padding, _):
                steps.append(Step(kernelHeight: kernel[0], kernelWidth: kernel[1], stride: stride, padding: padding))
            case .maxpool2d(let size, let stride), .avgpool2d(let size, let stride):
                steps.append(Step(kernel: size, stride: stride))
            case .dense, .add, .concat: return nil
            case .flatten, .activation: continue
            }
        }
        return steps
    }
}
