import CKernels
import Foundation
@testable import Networks
import PropertyBased
import Tensor
import Testing

/// The direct stride-1 convolution kernels (CKernels/conv_kernels.c), which Conv2D uses for
/// 8–64 output channels: finite-difference gradients, a Double reference of the forward
/// and both backward products, and their AVX2 and SSE2 paths against each other.
@Suite("Direct convolution")
struct DirectConvolutionTests {
    /// y, dK and dx of a linear convolution, written out in Double.
    static func reference(_ x: Tensor, kernel: Tensor, bias: Tensor, padding p: Int, dy: Tensor) -> (y: [Double], dK: [Double], dx: [Double]) {
        let (batch, h, w, cin) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (kh, kw, cout) = (kernel.shape[0], kernel.shape[1], kernel.shape[3])
        let oh = h + 2 * p - kh + 1, ow = w + 2 * p - kw + 1
        var y = [Double](repeating: 0, count: batch * oh * ow * cout)
        var dK = [Double](repeating: 0, count: kernel.count), dx = [Double](repeating: 0, count: x.count)
        for b in 0..<batch { for oy in 0..<oh { for ox in 0..<ow { for co in 0..<cout {
            let o = ((b * oh + oy) * ow + ox) * cout + co
            var sum = Double(bias.scalars[co])
            for ky in 0..<kh { for kx in 0..<kw {
                let iy = oy + ky - p, ix = ox + kx - p
                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                for ci in 0..<cin {
                    let xi = ((b * h + iy) * w + ix) * cin + ci, ki = ((ky * kw + kx) * cin + ci) * cout + co
                    sum += Double(x.scalars[xi]) * Double(kernel.scalars[ki])
                    dK[ki] += Double(x.scalars[xi]) * Double(dy.scalars[o])
                    dx[xi] += Double(kernel.scalars[ki]) * Double(dy.scalars[o])
                }
            } }
            y[o] = sum
        } } } }
        return (y, dK, dx)
    }

    static func random(_ shape: [Int], _ rng: inout SeededRNG) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in rng.uniform(-1, 1) })
    }

    @Test func matchesTheDoubleReference() async {
        await propertyCheck(count: 16, input: Gen.int(in: 0...1_000_000)) { seed in
            var rng = SeededRNG(seed: UInt64(seed))
            let kh = 1 + rng.int(below: 5), kw = rng.int(below: 2) == 0 ? kh : 1 + rng.int(below: 5)
            let padding = rng.int(below: 4)
            let h = max(kh, 1 + rng.int(below: 9)), w = max(kw, 1 + rng.int(below: 9))
            let cin = [1, 2, 3, 8, 16][rng.int(below: 5)], cout = [8, 16, 24, 32, 64][rng.int(below: 5)]
            let batch = 1 + rng.int(below: 3)
            let kernel = Self.random([kh, kw, cin, cout], &rng), bias = Self.random([cout], &rng)
            let layer = Conv2D(name: "c", kernel: kernel, bias: bias, stride: 1, padding: padding)
            let x = Self.random([batch, h, w, cin], &rng)
            let g = layer.geometry(x)
            #expect(g.supportsDirect(outputChannels: cout))
            let trace = layer.forward(x)
            let dy = Self.random(trace.output.shape, &rng)
            let expected = Self.reference(x, kernel: kernel, bias: bias, padding: padding, dy: dy)
            let (dx, parameters) = layer.backward(dy, trace: trace, needsInputGradient: true)
            func close(_ a: [Float], _ b: [Double], _ what: String) {
                #expect(a.count == b.count, "\(what)")
                // Sums of up to 5 × 5 × 64 float products: a few units of 1e-5 are float
                // rounding (one random geometry in a run measured 1.3e-5), not a wrong tap.
                let worst = zip(a, b).map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? 0
                #expect(worst < 5e-5, "\(what): \(worst) at k \(kh)×\(kw) p \(padding) cin \(cin) cout \(cout)")
            }
            close(trace.output.scalars, expected.y, "y")
            close(parameters[0].scalars, expected.dK, "dK")
            close(dx?.scalars ?? [], expected.dx, "dx")
            // The affine form (LRP's) with other weights and no bias, and its transposed.
            let affine = layer.affine(x, weights: kernel, bias: nil)
            close(affine.scalars, zip(expected.y, trace.output.scalars.indices).map { $0.0 - Double(bias.scalars[$0.1 % cout]) }, "affine")
            close(layer.transposed(dy, weights: kernel, inputShape: [h, w, cin]).scalars, expected.dx, "transposed")
        }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        var rng = SeededRNG(seed: 31)
        for (k, padding, cin, cout, activation) in [(3, 1, 1, 8, Activation.relu), (3, 1, 8, 16, .tanh), (5, 2, 2, 8, .linear),
                                                    (2, 0, 3, 8, .tanh), (3, 3, 1, 16, .linear)] {
            var layer = Conv2D(name: "c", kernelSize: (k, k), inputChannels: cin, outputChannels: cout, padding: padding,
                               activation: activation, rng: &rng)
            layer.parameters[1] = GradientCheckTests.randomInput([cout], rng: &rng)
            try GradientCheckTests.check(layer, batch: 2, inShape: [5, 4, cin], rng: &rng)
        }
    }

    /// The AVX2 and SSE2 paths of each C kernel agree (on a processor without AVX2 both run SSE2).
    @Test func wideAndBaselinePathsAgree() {
        var rng = SeededRNG(seed: 8)
        let (ph, pw, cin, cout, kh, kw) = (9, 10, 8, 16, 3, 3)
        let (oh, ow) = (ph - kh + 1, pw - kw + 1)
        let x = (0..<(2 * ph * pw * cin)).map { _ in rng.uniform(-1, 1) }
        let kernel = (0..<(kh * kw * cin * cout)).map { _ in rng.uniform(-1, 1) }
        let bias = (0..<cout).map { _ in rng.uniform(-1, 1) }
        let dz = (0..<(2 * oh * ow * cout)).map { _ in rng.uniform(-1, 1) }
        var results: [[Float]] = []
        for wide in [Int32(0), 1] {
            var y = [Float](repeating: 0, count: oh * ow * cout), dx = [Float](repeating: 0, count: ph * pw * cin)
            var dk = [Float](repeating: 0, count: cin * cout)
            ip_conv_forward(wide, x, Int32(pw), Int32(cin), kernel, bias, Int32(kh), Int32(kw), Int32(cout), Int32(oh), Int32(ow), &y)
            ip_conv_transposed(wide, dz, Int32(oh), Int32(ow), Int32(cout), kernel, Int32(kh), Int32(kw), Int32(cin), Int32(pw), &dx)
            ip_conv_kernel_gradient(wide, x, 2, Int32(ph), Int32(pw), Int32(cin), dz, Int32(oh), Int32(ow), Int32(cout), 1, 2, &dk)
            results.append(y + dx + dk)
        }
        let worst = zip(results[0], results[1]).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 0
        #expect(worst < 1e-5, "\(worst)")
        #expect(results[0].contains { $0 != 0 })
    }
}
