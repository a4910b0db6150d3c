import Foundation
@testable import Networks
import Tensor

/// Independent double-precision forward passes written from the definitions (direct
/// loops, no im2col, no BLAS), used to check our Float layers' forward outputs and,
/// by central finite differences, their analytic gradients.
enum DoubleReference {
    static func activate(_ z: Double, _ f: Activation) -> Double {
        switch f {
        case .linear: return z
        case .tanh: return Foundation.tanh(z)
        case .relu: return max(z, 0)
        case .sigmoid: return 1 / (1 + exp(-z))
        case .softsign: return z / (1 + abs(z))
        case .softplus: return log1p(exp(z))
        case .elu: return z > 0 ? z : exp(z) - 1
        case .leakyRelu: return z > 0 ? z : 0.01 * z
        case .relu6: return min(max(z, 0), 6)
        case .hardsigmoid: return min(max(z + 3, 0), 6) / 6
        case .hardswish: return z * min(max(z + 3, 0), 6) / 6
        case .gelu: return 0.5 * z * (1 + erf(z / 2.0.squareRoot()))
        case .geluTanh: return 0.5 * z * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (z + 0.044715 * z * z * z)))
        }
    }

    /// Forward of one layer on `x` (flat, row-major, shape `[batch] + inShape`) with the
    /// given parameters (flat, Double).
    static func forward(_ layer: any Layer, x: [Double], batch: Int, inShape: [Int], parameters: [[Double]]) -> [Double] {
        switch layer {
        case let dense as Dense:
            let (n, m) = (dense.inputSize, dense.outputSize)
            var y = [Double](repeating: 0, count: batch * m)
            for b in 0..<batch {
                for j in 0..<m {
                    var z = parameters[1][j]
                    for i in 0..<n { z += x[b * n + i] * parameters[0][i * m + j] }
                    y[b * m + j] = activate(z, dense.activation)
                }
            }
            return y
        case let conv as Conv2D:
            let (h, w, c) = (inShape[0], inShape[1], inShape[2])
            let (kh, kw, f, s, p) = (conv.kernelHeight, conv.kernelWidth, conv.outputChannels, conv.stride, conv.padding)
            let oh = (h + 2 * p - kh) / s + 1, ow = (w + 2 * p - kw) / s + 1
            var y = [Double](repeating: 0, count: batch * oh * ow * f)
            for b in 0..<batch {
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        for o in 0..<f {
                            var z = parameters[1][o]
                            for ky in 0..<kh {
                                for kx in 0..<kw {
                                    let iy = oy * s + ky - p, ix = ox * s + kx - p
                                    guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                                    for ch in 0..<c {
                                        z += x[((b * h + iy) * w + ix) * c + ch] * parameters[0][((ky * kw + kx) * c + ch) * f + o]
                                    }
                                }
                            }
                            y[((b * oh + oy) * ow + ox) * f + o] = activate(z, conv.activation)
                        }
                    }
                }
            }
            return y
        case let pool as MaxPool2D:
            return pooling(x, batch: batch, inShape: inShape, size: pool.size, stride: pool.stride) { $0.max()! }
        case let pool as AvgPool2D:
            return pooling(x, batch: batch, inShape: inShape, size: pool.size, stride: pool.stride) { $0.reduce(0, +) / Double($0.count) }
        case is Flatten:
            return x
        case let act as ActivationLayer:
            return x.map { activate($0, act.activation) }
        default:
            fatalError("no reference for \(type(of: layer))")
        }
    }

    static func pooling(_ x: [Double], batch: Int, inShape: [Int], size: Int, stride: Int, _ reduce: ([Double]) -> Double) -> [Double] {
        let (h, w, c) = (inShape[0], inShape[1], inShape[2])
        let oh = (h - size) / stride + 1, ow = (w - size) / stride + 1
        var y = [Double](repeating: 0, count: batch * oh * ow * c)
        for b in 0..<batch {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    for ch in 0..<c {
                        var window: [Double] = []
                        for ky in 0..<size {
                            for kx in 0..<size {
                                window.append(x[((b * h + oy * stride + ky) * w + ox * stride + kx) * c + ch])
                            }
                        }
                        y[((b * oh + oy) * ow + ox) * c + ch] = reduce(window)
                    }
                }
            }
        }
        return y
    }

    /// Forward of a whole model (a chain or a graph), returning the logits.
    static func forward(_ model: Sequential, x: [Double], batch: Int, parameters: [[[Double]]]) -> [Double] {
        var outputs: [[Double]] = []
        for (index, layer) in model.layers.enumerated() {
            let sources = model.inputs[index]
            let values = sources.map { $0 < 0 ? x : outputs[$0] }
            let shapes = sources.map { $0 < 0 ? model.inputShape : model.outputShapes[$0] }
            switch layer.kind {
            case .add:
                outputs.append(values.dropFirst().reduce(values[0]) { zip($0, $1).map(+) })
            case .concat:
                let widths = shapes.map { $0.last! }, total = widths.reduce(0, +)
                let positions = values[0].count / widths[0]
                var y = [Double](repeating: 0, count: positions * total)
                var offset = 0
                for (value, width) in zip(values, widths) {
                    for p in 0..<positions { for c in 0..<width { y[p * total + offset + c] = value[p * width + c] } }
                    offset += width
                }
                outputs.append(y)
            case .dense, .conv2d, .maxpool2d, .avgpool2d, .flatten, .activation:
                outputs.append(forward(layer, x: values[0], batch: batch, inShape: shapes[0], parameters: parameters[index]))
            case .module:
                preconditionFailure("no executable model has a recorded-only layer")
            }
        }
        return outputs.last ?? x
    }

    /// Mean softmax cross-entropy in nats.
    static func crossEntropy(_ logits: [Double], labels: [Int32], classes: Int) -> Double {
        var total = 0.0
        for b in 0..<labels.count {
            let row = logits[(b * classes)..<((b + 1) * classes)]
            let m = row.max()!
            let lse = m + log(row.reduce(0) { $0 + exp($1 - m) })
            total += lse - row[b * classes + Int(labels[b])]
        }
        return total / Double(labels.count)
    }

    /// Central difference of `f` with respect to each coordinate of `point`.
    static func gradient(at point: [Double], step: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
        var g = [Double](repeating: 0, count: point.count)
        var p = point
        for i in point.indices {
            p[i] = point[i] + step
            let plus = f(p)
            p[i] = point[i] - step
            let minus = f(p)
            p[i] = point[i]
            g[i] = (plus - minus) / (2 * step)
        }
        return g
    }
}

/// Maximum of |a − b| / (atol + rtol·|b|); ≤ 1 means the arrays agree.
func agreement(_ a: [Double], _ b: [Double], rtol: Double = 1e-3, atol: Double = 1e-4) -> Double {
    precondition(a.count == b.count, "sizes \(a.count) vs \(b.count)")
    return zip(a, b).map { abs($0 - $1) / (atol + rtol * abs($1)) }.max() ?? 0
}
