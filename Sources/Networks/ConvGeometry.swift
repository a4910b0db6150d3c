import Tensor

/// The index arithmetic of a 2-D convolution or pooling window on NHWC images, and
/// the im2col / col2im transforms built on it.
struct ConvGeometry {
    let height: Int, width: Int, channels: Int
    let kernelHeight: Int, kernelWidth: Int
    let stride: Int, padding: Int

    init(inputShape: [Int], kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int) {
        height = inputShape[0]
        width = inputShape[1]
        channels = inputShape[2]
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = max(stride, 1)
        self.padding = padding
    }

    var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    var positions: Int { outputHeight * outputWidth }
    var patchSize: Int { kernelHeight * kernelWidth * channels }
    var imageSize: Int { height * width * channels }

    /// The valid `kx` range of window column `ox` (where `0 ≤ ox·s + kx − p < w`).
    @inline(__always)
    func validKx(_ ox: Int) -> Range<Int> {
        let first = max(0, padding - ox * stride)
        let end = min(kernelWidth, width + padding - ox * stride)
        return first..<max(first, end)
    }

    /// `[batch · positions, kh · kw · cin]`: row `(b, oy, ox)` holds the receptive field of
    /// that output, columns ordered `(ky, kx, c)`, zeros where the window leaves the image.
    /// Each window row `ky` is one contiguous run of `kw · cin` input values (NHWC), copied
    /// at once; only the padding is zero-filled.
    /// - Complexity: O(batch · positions · patchSize).
    func im2col(_ input: Tensor) -> Tensor {
        let batch = input.rows
        let (oh, ow, kh, kw, c, s, p) = (outputHeight, outputWidth, kernelHeight, kernelWidth, channels, stride, padding)
        let (h, w, image, patch) = (height, width, imageSize, patchSize)
        let runLength = kw * c
        return input.scalars.withUnsafeBufferPointer { xBuffer in
            Tensor.filled(shape: [batch * positions, patchSize]) { cols in
                let x = xBuffer.baseAddress!
                let out = cols.baseAddress!
                // Wrapping arithmetic in the index computations: all indices are bounded
                // by the tensor sizes, and overflow checks cost more than the copies.
                var row = 0
                for b in 0..<batch {
                    let imageBase = b &* image
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            let valid = validKx(ox)
                            let lead = valid.lowerBound &* c, count = valid.count &* c
                            let trail = valid.upperBound &* c
                            for ky in 0..<kh {
                                let dst = out + (row &* patch &+ ky &* runLength)
                                let iy = oy &* s &+ ky &- p
                                guard iy >= 0 && iy < h && count > 0 else {
                                    dst.update(repeating: 0, count: runLength)
                                    continue
                                }
                                if lead > 0 { dst.update(repeating: 0, count: lead) }
                                let src = x + (imageBase &+ (iy &* w &+ ox &* s &+ valid.lowerBound &- p) &* c)
                                let target = dst + lead
                                for i in 0..<count { target[i] = src[i] }
                                if trail < runLength { (dst + trail).update(repeating: 0, count: runLength &- trail) }
                            }
                            row &+= 1
                        }
                    }
                }
            }
        }
    }

    /// The adjoint of ``im2col(_:)``: sums each column entry back into the pixel it came
    /// from, giving `[batch, h, w, cin]`.
    func col2im(_ columns: [Float], batch: Int) -> Tensor {
        var out = [Float](repeating: 0, count: batch * imageSize)
        let (oh, ow, kh, kw, c, s, p) = (outputHeight, outputWidth, kernelHeight, kernelWidth, channels, stride, padding)
        let (h, w, image, patch) = (height, width, imageSize, patchSize)
        let runLength = kw * c
        columns.withUnsafeBufferPointer { colsBuffer in
            out.withUnsafeMutableBufferPointer { xBuffer in
                let cols = colsBuffer.baseAddress!
                let x = xBuffer.baseAddress!
                var row = 0
                for b in 0..<batch {
                    let imageBase = b &* image
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            let valid = validKx(ox)
                            let count = valid.count &* c
                            if count > 0 {
                                for ky in 0..<kh {
                                    let iy = oy &* s &+ ky &- p
                                    if iy < 0 || iy >= h { continue }
                                    let src = cols + (row &* patch &+ ky &* runLength &+ valid.lowerBound &* c)
                                    let dst = x + (imageBase &+ (iy &* w &+ ox &* s &+ valid.lowerBound &- p) &* c)
                                    for i in 0..<count { dst[i] += src[i] }
                                }
                            }
                            row &+= 1
                        }
                    }
                }
            }
        }
        return Tensor(shape: [batch, height, width, channels], scalars: out)
    }
}
