import Tensor

/// The sizes every model the lab builds (from a config) or imports (ONNX, Keras) is held
/// to, counted before a weight is allocated: a crafted file or a typo such as
/// `widths: [1000000, 1000000]` is an error naming the layer and the numbers, never an
/// allocation that aborts the process.
public struct ModelBudget: Sendable {
    /// The most parameters a model may hold: 2^28 (1 GiB of float32, about twice VGG-16).
    /// Training holds about six copies (weights, gradients, Adam's moments, the two
    /// checkpoint slots' buffers), so the largest model stays within 6 GiB.
    public static let maximumParameters = 1 << 28
    /// The most values one sample may have at any layer: 2^24 (64 MiB of float32 per
    /// sample, a 2048×2048×4 map).
    public static let maximumValuesPerSample = 1 << 24

    /// Parameters counted so far.
    public private(set) var parameters = 0

    public init() {}

    /// Counts a layer with `weights` (the product of its weight shape) plus `biases`
    /// parameters, refusing a product that overflows or a total above the limit.
    public mutating func add(layer: String, weightShape: [Int], biases: Int) throws(NetworkError) {
        // Every partial sum stays at most 3 × 2^28: no overflow once each part is bounded.
        var fits = biases >= 0 && biases <= Self.maximumParameters
        var product = 1
        for size in weightShape where fits {
            let (next, overflow) = product.multipliedReportingOverflow(by: size)
            fits = size >= 0 && !overflow && next <= Self.maximumParameters
            product = next
        }
        guard fits, parameters + product + biases <= Self.maximumParameters else {
            throw NetworkError(layer: layer, "weights of shape \(weightShape) bring the model past \(Self.maximumParameters) parameters (\(MemoryBudget.format(bytes: Self.maximumParameters * 4)) as float32), more than the lab trains or imports")
        }
        parameters += product + biases
    }

    /// The number of values of one sample of `shape`, refused when a size is not
    /// positive, the product overflows, or it exceeds ``maximumValuesPerSample``.
    @discardableResult
    public static func values(_ shape: [Int], layer: String) throws(NetworkError) -> Int {
        var product = 1
        for size in shape {
            let (next, overflow) = product.multipliedReportingOverflow(by: size)
            guard size > 0, !overflow, next <= maximumValuesPerSample else {
                throw NetworkError(layer: layer, "a sample of shape \(shape) is not a size the lab handles (at most \(maximumValuesPerSample) values per sample at any layer)")
            }
            product = next
        }
        return product
    }
}
