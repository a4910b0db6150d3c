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

    var paddedHeight: Int { height + 2 * padding }
    var paddedWidth: Int { width + 2 * padding }
    var paddedImageSize: Int { paddedHeight * paddedWidth * channels }

    /// The input with `padding` zeros on all four sides, `[batch, h + 2p, w + 2p, c]`
    /// (the input itself when `padding == 0`).
    func padded(_ input: Tensor) -> Tensor {
        guard padding > 0 else { return input }
        let batch = input.rows
        let (h, w, c, p) = (height, width, channels, padding)
        let (pw, image, paddedImage) = (paddedWidth, imageSize, paddedImageSize)
        var out = [Float](repeating: 0, count: batch * paddedImage)
        let source = input.scalars
        Parallel.forEachRange(batch, minimumPerWorker: 16, writing: &out, stride: paddedImage) { images, slice in
            guard let o = slice.baseAddress else { return }
            source.withUnsafeBufferPointer { xBuffer in
                let x = xBuffer.baseAddress!
                for b in images {
                    for y in 0..<h {
                        (o + ((b &- images.lowerBound) &* paddedImage &+ ((y &+ p) &* pw &+ p) &* c))
                            .update(from: x + (b &* image &+ y &* w &* c), count: w &* c)
                    }
                }
            }
        }
        return Tensor(shape: [batch, paddedHeight, paddedWidth, channels], scalars: out)
    }

    /// `[batch · positions, kh · kw · cin]`: row `(b, oy, ox)` holds the receptive field of
    /// that output, columns ordered `(ky, kx, c)`, zeros where the window leaves the image.
    ///
    /// The input is zero-padded once; then each window row `ky` is one contiguous run of
    /// `kw · cin` values (NHWC), copied without a branch. Images are independent, so the
    /// batch is split across cores.
    /// - Complexity: O(batch · positions · patchSize).
    func im2col(_ input: Tensor) -> Tensor {
        let batch = input.rows
        let source = padded(input)
        let (oh, ow, kh, s, c) = (outputHeight, outputWidth, kernelHeight, stride, channels)
        let (pw, paddedImage, patch) = (paddedWidth, paddedImageSize, patchSize)
        let runLength = kernelWidth * c
        let scalars = source.scalars
        let columns: [Float] = Parallel.makeArray(items: batch, stride: oh * ow * patch, minimumPerWorker: 8) { images, slice in
            guard let out = slice.baseAddress else { return }
            scalars.withUnsafeBufferPointer { xBuffer in
                let x = xBuffer.baseAddress!
                // Wrapping arithmetic: indices are bounded by the tensor sizes, and overflow
                // checks cost more than the copies.
                var dst = out
                for b in images {
                    let imageBase = x + b &* paddedImage
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            var src = imageBase + ((oy &* s) &* pw &+ ox &* s) &* c
                            for _ in 0..<kh {
                                for i in 0..<runLength { dst[i] = src[i] }
                                dst += runLength
                                src += pw &* c
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [batch * positions, patchSize], scalars: columns)
    }

    /// The adjoint of ``im2col(_:)``: sums each column entry back into the pixel it came
    /// from (accumulating in a padded buffer, then cropping), giving `[batch, h, w, cin]`.
    func col2im(_ columns: [Float], batch: Int) -> Tensor {
        let (oh, ow, kh, s, c, p) = (outputHeight, outputWidth, kernelHeight, stride, channels, padding)
        let (pw, paddedImage, patch, h, w) = (paddedWidth, paddedImageSize, patchSize, height, width)
        let runLength = kernelWidth * c
        var accumulated = [Float](repeating: 0, count: batch * paddedImage)
        Parallel.forEachRange(batch, minimumPerWorker: 8, writing: &accumulated, stride: paddedImage) { images, slice in
            guard let x = slice.baseAddress else { return }
            columns.withUnsafeBufferPointer { colsBuffer in
                let cols = colsBuffer.baseAddress!
                do {
                    var src = cols + images.lowerBound &* oh &* ow &* patch
                    for b in images {
                        let imageBase = x + (b &- images.lowerBound) &* paddedImage
                        for oy in 0..<oh {
                            for ox in 0..<ow {
                                var dst = imageBase + ((oy &* s) &* pw &+ ox &* s) &* c
                                for _ in 0..<kh {
                                    for i in 0..<runLength { dst[i] += src[i] }
                                    src += runLength
                                    dst += pw &* c
                                }
                            }
                        }
                    }
                }
            }
        }
        guard p > 0 else { return Tensor(shape: [batch, h, w, c], scalars: accumulated) }
        let image = imageSize
        let cropped = accumulated.withUnsafeBufferPointer { aBuffer in
            Tensor.filled(shape: [batch, h, w, c]) { outBuffer in
                let a = aBuffer.baseAddress!, o = outBuffer.baseAddress!
                for b in 0..<batch {
                    for y in 0..<h {
                        (o + (b &* image &+ y &* w &* c))
                            .update(from: a + (b &* paddedImage &+ ((y &+ p) &* pw &+ p) &* c), count: w &* c)
                    }
                }
            }
        }
        return cropped
    }
}
