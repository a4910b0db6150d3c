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

    /// `[batch · positions, kh · kw · cin]`: row `(b, oy, ox)` holds the receptive field of
    /// that output, columns ordered `(ky, kx, c)`, zeros where the window leaves the image.
    /// - Complexity: O(batch · positions · patchSize).
    func im2col(_ input: Tensor) -> Tensor {
        let batch = input.rows
        let rows = batch * positions
        var out = [Float](repeating: 0, count: rows * patchSize)
        let (oh, ow, kh, kw, c, s, p) = (outputHeight, outputWidth, kernelHeight, kernelWidth, channels, stride, padding)
        let (h, w, image, patch) = (height, width, imageSize, patchSize)
        input.scalars.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { cols in
                var row = 0
                for b in 0..<batch {
                    let imageBase = b * image
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            let rowBase = row * patch
                            for ky in 0..<kh {
                                let iy = oy * s + ky - p
                                if iy < 0 || iy >= h { continue }
                                for kx in 0..<kw {
                                    let ix = ox * s + kx - p
                                    if ix < 0 || ix >= w { continue }
                                    let src = imageBase + (iy * w + ix) * c
                                    let dst = rowBase + (ky * kw + kx) * c
                                    for ch in 0..<c { cols[dst + ch] = x[src + ch] }
                                }
                            }
                            row += 1
                        }
                    }
                }
            }
        }
        return Tensor(shape: [rows, patchSize], scalars: out)
    }

    /// The adjoint of ``im2col(_:)``: sums each column entry back into the pixel it came
    /// from, giving `[batch, h, w, cin]`.
    func col2im(_ columns: [Float], batch: Int) -> Tensor {
        var out = [Float](repeating: 0, count: batch * imageSize)
        let (oh, ow, kh, kw, c, s, p) = (outputHeight, outputWidth, kernelHeight, kernelWidth, channels, stride, padding)
        let (h, w, image, patch) = (height, width, imageSize, patchSize)
        columns.withUnsafeBufferPointer { cols in
            out.withUnsafeMutableBufferPointer { x in
                var row = 0
                for b in 0..<batch {
                    let imageBase = b * image
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            let rowBase = row * patch
                            for ky in 0..<kh {
                                let iy = oy * s + ky - p
                                if iy < 0 || iy >= h { continue }
                                for kx in 0..<kw {
                                    let ix = ox * s + kx - p
                                    if ix < 0 || ix >= w { continue }
                                    let dst = imageBase + (iy * w + ix) * c
                                    let src = rowBase + (ky * kw + kx) * c
                                    for ch in 0..<c { x[dst + ch] += cols[src + ch] }
                                }
                            }
                            row += 1
                        }
                    }
                }
            }
        }
        return Tensor(shape: [batch, height, width, channels], scalars: out)
    }
}
