import CKernels
import Tensor

/// Direct stride-1 convolution (`CKernels/conv_kernels.c`) for the small channel counts of
/// the lab's CNNs: no im2col columns and no matrix packing, which for 1–16 channels cost
/// more than the multiply-adds. Used by ``Conv2D`` when ``supportsDirect(outputChannels:)``;
/// otherwise im2col and `sgemm`. Images are independent, so the batch is split across
/// cores; the kernel gradient is split by tap. Either way the result does not depend on
/// the worker count.
extension ConvGeometry {
    /// Stride 1, output channels a multiple of 8 up to 64, at most 64 input channels.
    func supportsDirect(outputChannels: Int) -> Bool {
        stride == 1 && (1...64).contains(channels) && (8...64).contains(outputChannels)
            && ip_conv_supported(Int32(channels), Int32(outputChannels)) != 0
    }

    /// `[batch, oh, ow, cout]` = bias + the convolution of the zero-padded input
    /// `[batch, ph, pw, cin]` (``padded(_:)``) with `kernel` `[kh, kw, cin, cout]`.
    /// - Complexity: O(batch · positions · kh·kw·cin·cout).
    func directForward(padded: Tensor, kernel: Tensor, bias: Tensor?, outputChannels cout: Int) -> Tensor {
        let batch = padded.rows
        let (oh, ow, pw, cin, kh, kw) = (outputHeight, outputWidth, paddedWidth, channels, kernelHeight, kernelWidth)
        let imageIn = paddedImageSize, imageOut = oh * ow * cout
        let x = padded.scalars, k = kernel.scalars, b = bias?.scalars
        // Every element is written by the kernel: no zero fill first.
        let out: [Float] = Parallel.makeArray(items: batch, stride: imageOut, minimumPerWorker: 8) { images, slice in
            guard let y = slice.baseAddress else { return }
            x.withUnsafeBufferPointer { xBuffer in
                k.withUnsafeBufferPointer { kBuffer in
                    let run = { (bias: UnsafePointer<Float>?) in
                        for image in images {
                            ip_conv_forward(1, xBuffer.baseAddress! + image * imageIn, Int32(pw), Int32(cin), kBuffer.baseAddress!, bias,
                                            Int32(kh), Int32(kw), Int32(cout), Int32(oh), Int32(ow),
                                            y + (image - images.lowerBound) * imageOut)
                        }
                    }
                    if let b { b.withUnsafeBufferPointer { run($0.baseAddress!) } } else { run(nil) }
                }
            }
        }
        return Tensor(shape: [batch, oh, ow, cout], scalars: out)
    }

    /// The transposed convolution of `s` `[batch, oh, ow, cout]` with `kernel`: the input
    /// gradient `[batch, h, w, cin]` (accumulated in a padded image, then cropped).
    func directTransposed(_ s: [Float], batch: Int, kernel: Tensor, outputChannels cout: Int) -> Tensor {
        if let viaForward = transposedAsForward(s, batch: batch, kernel: kernel, outputChannels: cout) { return viaForward }
        let (oh, ow, pw, ph, cin, kh, kw, p) = (outputHeight, outputWidth, paddedWidth, paddedHeight, channels, kernelHeight, kernelWidth, padding)
        let (h, w) = (height, width)
        let imageOut = oh * ow * cout, image = imageSize
        var dx = [Float](repeating: 0, count: batch * image)
        // [kh, kw, cout, cin]: the kernel with its channel axes swapped.
        var swapped = [Float](repeating: 0, count: kernel.count)
        kernel.scalars.withUnsafeBufferPointer { source in
            for tap in 0..<(kh * kw) {
                for ci in 0..<cin {
                    for co in 0..<cout { swapped[(tap * cout + co) * cin + ci] = source[(tap * cin + ci) * cout + co] }
                }
            }
        }
        let k = swapped
        Parallel.forEachRange(batch, minimumPerWorker: 8, writing: &dx, stride: image) { images, slice in
            guard let out = slice.baseAddress else { return }
            var padded = [Float](repeating: 0, count: ph * pw * cin)
            k.withUnsafeBufferPointer { kBuffer in
              s.withUnsafeBufferPointer { dzBuffer in
                let dz = dzBuffer.baseAddress!
                padded.withUnsafeMutableBufferPointer { pad in
                    for b in images {
                        pad.update(repeating: 0)
                        ip_conv_transposed(1, dz + b * imageOut, Int32(oh), Int32(ow), Int32(cout), kBuffer.baseAddress!,
                                           Int32(kh), Int32(kw), Int32(cin), Int32(pw), pad.baseAddress!)
                        let target = out + (b - images.lowerBound) * image
                        for y in 0..<h {
                            target.advanced(by: y * w * cin)
                                .update(from: pad.baseAddress! + ((y + p) * pw + p) * cin, count: w * cin)
                        }
                    }
                }
              }
            }
        }
        return Tensor(shape: [batch, h, w, cin], scalars: dx)
    }

    /// The kernel gradient `[kh, kw, cin, cout]`: Σ over images and positions of the
    /// padded input's window times the output gradient `dz` `[batch, oh, ow, cout]`.
    func directKernelGradient(padded: Tensor, outputGradient dz: [Float], outputChannels cout: Int) -> [Float] {
        let batch = padded.rows
        let (oh, ow, pw, ph, cin, kw) = (outputHeight, outputWidth, paddedWidth, paddedHeight, channels, kernelWidth)
        let taps = kernelHeight * kernelWidth
        var dk = [Float](repeating: 0, count: taps * cin * cout)
        let x = padded.scalars
        Parallel.forEachRange(taps, minimumPerWorker: 1, writing: &dk, stride: cin * cout) { range, slice in
            guard let out = slice.baseAddress else { return }
            x.withUnsafeBufferPointer { xBuffer in
              dz.withUnsafeBufferPointer { dzBuffer in
                let gradient = dzBuffer.baseAddress!
                for tap in range {
                    ip_conv_kernel_gradient(1, xBuffer.baseAddress!, Int32(batch), Int32(ph), Int32(pw), Int32(cin), gradient,
                                            Int32(oh), Int32(ow), Int32(cout), Int32(tap / kw), Int32(tap % kw),
                                            out + (tap - range.lowerBound) * cin * cout)
                }
              }
            }
        }
        return dk
    }

    /// For a square kernel with padding p ≤ k − 1, the transposed convolution is the
    /// forward convolution of the output gradient, zero-padded by k − 1 − p, with the
    /// kernel turned by 180° and its channel axes swapped:
    /// `dx[y, x, ci] = Σ_{ky,kx,co} dzpad[y + ky, x + kx, co] · K[k−1−ky, k−1−kx, ci, co]`.
    /// So it runs on the forward kernel (positions in registers); nil when that does not
    /// apply (input channels not a multiple of 8, say), for the direct transposed kernel.
    func transposedAsForward(_ s: [Float], batch: Int, kernel: Tensor, outputChannels cout: Int) -> Tensor? {
        let (k, cin) = (kernelHeight, channels)
        guard kernelWidth == k, padding <= k - 1 else { return nil }
        let gradientGeometry = ConvGeometry(inputShape: [outputHeight, outputWidth, cout], kernelHeight: k, kernelWidth: k,
                                            stride: 1, padding: k - 1 - padding)
        guard gradientGeometry.supportsDirect(outputChannels: cin) else { return nil }
        var turned = [Float](repeating: 0, count: kernel.count)
        kernel.scalars.withUnsafeBufferPointer { source in
            for ky in 0..<k {
                for kx in 0..<k {
                    let to = ((k - 1 - ky) * k + (k - 1 - kx)) * cout * cin, from = (ky * k + kx) * cin * cout
                    for ci in 0..<cin {
                        for co in 0..<cout { turned[to + co * cin + ci] = source[from + ci * cout + co] }
                    }
                }
            }
        }
        let padded = gradientGeometry.padded(Tensor(shape: [batch, outputHeight, outputWidth, cout], scalars: s))
        return gradientGeometry.directForward(padded: padded, kernel: Tensor(shape: [k, k, cout, cin], scalars: turned),
                                              bias: nil, outputChannels: cin)
    }
}
