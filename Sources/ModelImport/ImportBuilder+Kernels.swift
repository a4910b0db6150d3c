import Networks
import Tensor

extension ImportBuilder {
    /// The lab's `[kh', kw', cin, cout]` kernel of a grouped (depthwise) or dilated
    /// convolution, as an ordinary convolution's: `weight(o, c, y, x)` gives output channel
    /// o's weight on input channel c at tap (y, x) of the `kh × kw` kernel, or nil where
    /// the structure has none (another group's channel); taps are spread `dilation` apart,
    /// so the kernel is `(kh − 1)·dilation + 1` high, and every other entry is zero. The
    /// same outputs, gradients and LRP maps: a zero weight adds nothing to z, z⁺ or z^B.
    /// - Throws: when the expanded kernel exceeds ``ModelBudget/maximumValuesPerSample``.
    func structuredKernel(kh: Int, kw: Int, cin: Int, cout: Int, dilation: Int, place: String,
                          weight: (_ o: Int, _ c: Int, _ y: Int, _ x: Int) -> Float?) throws(ModelImportError) -> Tensor {
        let (ekh, ekw) = ((kh - 1) * dilation + 1, (kw - 1) * dilation + 1)
        let (count, overflow) = (ekh * ekw).multipliedReportingOverflow(by: cin * cout)
        guard dilation >= 1, dilation <= 64, !overflow, count <= ModelBudget.maximumValuesPerSample else {
            throw error(place, "a grouped or dilated kernel of \(ekh)×\(ekw)×\(cin)×\(cout) values when expanded (dilation \(dilation)); at most \(ModelBudget.maximumValuesPerSample) values and dilations up to 64")
        }
        var kernel = [Float](repeating: 0, count: count)
        for o in 0..<cout { for c in 0..<cin { for y in 0..<kh { for x in 0..<kw {
            if let w = weight(o, c, y, x) { kernel[((y * dilation * ekw + x * dilation) * cin + c) * cout + o] = w }
        } } } }
        return Tensor(shape: [ekh, ekw, cin, cout], scalars: kernel)
    }

    /// Notes a kernel with structural zeros (``ImportedModel/structuralZeros``).
    mutating func noteStructure(groups: Int, dilation: Int, kernel: [Int], place: String) {
        guard groups > 1 || dilation > 1 else { return }
        structuralZeros.append(place)
        notes.append("\(place): a \(groups > 1 ? "grouped (\(groups) groups) " : "")\(dilation > 1 ? "dilated (\(dilation)) " : "")convolution, imported as an ordinary \(kernel[0])×\(kernel[1]) convolution whose kernel is zero off its structure (exact; not trainable)")
    }
}
