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

    /// The field of output unit (`row`, `column`) of `layer` in a model that may be a
    /// graph: each layer maps the window back through its kernel, stride and padding
    /// (activations and flatten leave it), and a merge's field is the bounding box of its
    /// inputs' fields (for residual sums of centred windows, the larger window: exact).
    /// Nil when a path from the input passes a Dense layer (its units see the whole input).
    public init?(model: Sequential, layer: Int, row: Int, column: Int) {
        var memo: [Key: Window?] = [:]
        guard let window = Self.window(model, layer, Window(rows: row..<(row + 1), columns: column..<(column + 1)), &memo) else { return nil }
        rows = window.rows
        columns = window.columns
    }

    private struct Window: Hashable { var rows: Range<Int>, columns: Range<Int> }
    private struct Key: Hashable { var layer: Int, window: Window }

    /// The input window that `window` of `layer`'s output reads (memoised per layer and
    /// window, so that a graph of many merges is not walked once per path).
    private static func window(_ model: Sequential, _ layer: Int, _ window: Window, _ memo: inout [Key: Window?]) -> Window? {
        guard layer >= 0 else { return window }
        let key = Key(layer: layer, window: window)
        if let known = memo[key] { return known }
        let input: Window
        switch model.layers[layer].spec {
        case .conv2d(_, let kernel, let stride, let padding, _):
            input = Window(rows: (window.rows.lowerBound * stride - padding)..<((window.rows.upperBound - 1) * stride - padding + kernel[0]),
                           columns: (window.columns.lowerBound * stride - padding)..<((window.columns.upperBound - 1) * stride - padding + kernel[1]))
        case .maxpool2d(let size, let stride), .avgpool2d(let size, let stride):
            input = Window(rows: (window.rows.lowerBound * stride)..<((window.rows.upperBound - 1) * stride + size),
                           columns: (window.columns.lowerBound * stride)..<((window.columns.upperBound - 1) * stride + size))
        case .flatten, .activation, .add, .concat:
            input = window
        case .dense:
            memo[key] = .some(nil)
            return nil
        }
        var union: Window?
        for source in model.inputs[layer] {
            guard let field = Self.window(model, source, input, &memo) else {
                memo[key] = .some(nil)
                return nil
            }
            union = union.map { Window(rows: min($0.rows.lowerBound, field.rows.lowerBound)..<max($0.rows.upperBound, field.rows.upperBound),
                                       columns: min($0.columns.lowerBound, field.columns.lowerBound)..<max($0.columns.upperBound, field.columns.upperBound)) } ?? field
        }
        memo[key] = .some(union)
        return union
    }
}
