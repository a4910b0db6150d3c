import CKernels
import RealModule
import Tensor

/// Element-wise activation functions, applied in place after a layer's affine map.
///
/// Derivatives are computed from the activation's *output* y = f(z), so a layer keeps
/// only its output for the backward pass, except for GELU and hard swish, which are not
/// monotonic (two inputs give one output): their derivative needs the input z
/// (``needsInput``), so they are layers of their own (``ActivationLayer``, whose input is
/// z), never the activation of a dense or convolution layer:
///
/// | activation | f(z) | f′ in terms of y |
/// |---|---|---|
/// | `linear` | z | 1 |
/// | `tanh` | tanh z (`Kernels.fastTanh`'s bits, eight lanes in C: abs. error ≤ 2.5e-7) | 1 − y² |
/// | `relu` | max(z, 0) | 1 if y > 0 else 0 (0 at z = 0, as PyTorch and TensorFlow) |
/// | `sigmoid` | 1/(1 + e^−z) | y(1 − y) |
/// | `softsign` | z/(1 + \|z\|) | (1 − \|y\|)² |
/// | `softplus` | log(1 + e^z) | 1 − e^−y |
/// | `elu` | z if z > 0 else e^z − 1 (α = 1) | 1 if y > 0 else y + 1 |
/// | `leaky_relu` | z if z > 0 else 0.01 z (PyTorch's default slope) | 1 if y > 0 else 0.01 |
/// | `relu6` | min(max(z, 0), 6) (MobileNet's; PyTorch's `nn.ReLU6`, ONNX `Clip(0, 6)`) | 1 if 0 < y < 6 else 0 |
/// | `hardsigmoid` | min(max(z + 3, 0), 6)/6 (PyTorch's `nn.Hardsigmoid`, Keras 3's `hard_sigmoid`, ONNX `HardSigmoid` with α = 1/6) | 1/6 if 0 < y < 1 else 0 |
/// | `hardswish` | z · min(max(z + 3, 0), 6)/6 (Howard et al. 2019, MobileNetV3) | from z: 0 if z < −3, z/3 + ½ if z ≤ 3, else 1 (PyTorch's) |
/// | `gelu` | z Φ(z) = ½ z (1 + erf(z/√2)) (Hendrycks & Gimpel 2016) | from z: Φ(z) + z φ(z) |
/// | `gelu_tanh` | ½ z (1 + tanh(√(2/π)(z + 0.044715 z³))) (the tanh approximation, `approximate='tanh'`) | from z: its derivative |
public enum Activation: String, Sendable, CaseIterable, Codable {
    case linear, tanh, relu, sigmoid, softsign, softplus, elu
    case leakyRelu = "leaky_relu"
    case relu6, hardsigmoid, hardswish, gelu
    case geluTanh = "gelu_tanh"

    /// Whether the derivative needs the input z (the activation is not monotonic): such
    /// an activation is a layer of its own, never folded into a dense or convolution layer.
    public var needsInput: Bool {
        switch self {
        case .hardswish, .gelu, .geluTanh: true
        case .linear, .tanh, .relu, .sigmoid, .softsign, .softplus, .elu, .leakyRelu, .relu6, .hardsigmoid: false
        }
    }

    /// √(2/π) and the cubic coefficient of the tanh form of GELU.
    static let geluTanhScale: Float = 0.7978845608028654, geluCubic: Float = 0.044715

    /// The negative slope of `leaky_relu` (PyTorch's `nn.LeakyReLU()` default).
    public static let leakySlope: Float = 0.01

    /// Applies the activation in place.
    public func apply(_ values: UnsafeMutableBufferPointer<Float>) {
        switch self {
        case .linear: return
        case .tanh: if let base = values.baseAddress { ip_tanh(base, Int64(values.count)) }
        case .relu: for i in values.indices { values[i] = values[i] > 0 ? values[i] : 0 }
        case .sigmoid: Kernels.sigmoid(values)
        case .softsign: for i in values.indices { values[i] = values[i] / (1 + abs(values[i])) }
        case .softplus: for i in values.indices { values[i] = Kernels.softplus(values[i]) }
        case .elu:
            for i in values.indices where values[i] <= 0 { values[i] = Float.expMinusOne(values[i]) }
        case .leakyRelu: for i in values.indices { values[i] = values[i] > 0 ? values[i] : Self.leakySlope * values[i] }
        case .relu6: for i in values.indices { values[i] = values[i] > 0 ? min(values[i], 6) : 0 }
        case .hardsigmoid: for i in values.indices { values[i] = min(max(values[i] + 3, 0), 6) / 6 }
        case .hardswish: for i in values.indices { values[i] = values[i] * min(max(values[i] + 3, 0), 6) / 6 }
        case .gelu:
            for i in values.indices { values[i] = 0.5 * values[i] * (1 + Float.erf(values[i] * 0.70710678118654752)) }
        case .geluTanh:
            for i in values.indices {
                let z = values[i]
                values[i] = 0.5 * z * (1 + Float.tanh(Self.geluTanhScale * (z + Self.geluCubic * z * z * z)))
            }
        }
    }

    /// The activation of one value (for tests and small computations).
    public func callAsFunction(_ z: Float) -> Float {
        var value = z
        withUnsafeMutablePointer(to: &value) { apply(UnsafeMutableBufferPointer(start: $0, count: 1)) }
        return value
    }

    /// `gradient[i] *= f′(z_i)`, with f′ computed from `output[i] = f(z_i)` (and from
    /// `input[i] = z_i` for the activations that need it, ``needsInput``): turns ∂L/∂y
    /// into ∂L/∂z in place. Without the input those make the gradient NaN, which training
    /// reports as a divergence; no layer the lab builds lets it come to that.
    public func backpropagate(_ gradient: UnsafeMutableBufferPointer<Float>, output: UnsafeBufferPointer<Float>,
                              input: UnsafeBufferPointer<Float>? = nil) {
        if needsInput, input == nil {
            gradient.update(repeating: .nan)
            return
        }
        switch self {
        case .linear: return
        case .tanh: for i in gradient.indices { gradient[i] *= 1 - output[i] * output[i] }
        case .relu: Self.reluBackward(gradient, output: output)
        case .sigmoid: for i in gradient.indices { gradient[i] *= output[i] * (1 - output[i]) }
        case .softsign:
            for i in gradient.indices {
                let d = 1 - abs(output[i])
                gradient[i] *= d * d
            }
        case .softplus: for i in gradient.indices { gradient[i] *= -Float.expMinusOne(-output[i]) }
        case .elu: for i in gradient.indices where output[i] <= 0 { gradient[i] *= output[i] + 1 }
        case .leakyRelu: for i in gradient.indices where output[i] <= 0 { gradient[i] *= Self.leakySlope }
        case .relu6: for i in gradient.indices where output[i] <= 0 || output[i] >= 6 { gradient[i] = 0 }
        case .hardsigmoid:
            for i in gradient.indices { gradient[i] *= output[i] > 0 && output[i] < 1 ? 1 / 6 : 0 }
        case .hardswish:
            guard let z = input else { return }
            for i in gradient.indices { gradient[i] *= z[i] < -3 ? 0 : z[i] <= 3 ? z[i] / 3 + 0.5 : 1 }
        case .gelu:
            guard let z = input else { return }
            for i in gradient.indices {
                let cdf = 0.5 * (1 + Float.erf(z[i] * 0.70710678118654752))
                let pdf = Float.exp(-0.5 * z[i] * z[i]) * 0.3989422804014327
                gradient[i] *= cdf + z[i] * pdf
            }
        case .geluTanh:
            guard let z = input else { return }
            for i in gradient.indices {
                let x = z[i], t = Float.tanh(Self.geluTanhScale * (x + Self.geluCubic * x * x * x))
                gradient[i] *= 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * Self.geluTanhScale * (1 + 3 * Self.geluCubic * x * x)
            }
        }
    }

    /// `gradient[i] = output[i] > 0 ? gradient[i] : 0`, eight lanes at a time (the
    /// scalar loop does not vectorise: the compiler cannot rule out aliasing).
    private static func reluBackward(_ gradient: UnsafeMutableBufferPointer<Float>, output: UnsafeBufferPointer<Float>) {
        guard let g = gradient.baseAddress, let y = output.baseAddress else { return }
        let count = gradient.count
        let whole = count & ~7
        var i = 0
        let zero = SIMD8<Float>(repeating: 0)
        while i < whole {
            let out = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self)
            let raw = UnsafeMutableRawPointer(g + i)
            let grad = raw.loadUnaligned(as: SIMD8<Float>.self)
            raw.storeBytes(of: grad.replacing(with: zero, where: out .<= zero), as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            if y[i] <= 0 { g[i] = 0 }
            i += 1
        }
    }
}
