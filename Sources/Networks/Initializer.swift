import RealModule
import Tensor

/// How a layer's weights are drawn. Biases start at zero.
///
/// | initializer | distribution | used by |
/// |---|---|---|
/// | `truncatedNormalFanIn` | N(0, 1/fan_in) cut at ±2σ (redrawn) | IDNNs, Shwartz-Ziv & Tishby 2017 |
/// | `truncatedNormalFanOut` | N(0, 1/fan_out) cut at ±2σ (redrawn) | ibsgd, Saxe et al. 2018 |
/// | `glorotUniform` | U(−a, a), a = √(6/(fan_in + fan_out)) | Glorot & Bengio 2010; Keras default |
/// | `heNormal` | N(0, 2/fan_in) | He et al. 2015 |
/// | `zeros` | 0 | |
///
/// fan_in and fan_out count connections: `in`/`out` for Dense, `kh·kw·cin`/`kh·kw·cout`
/// for Conv2D. Draws come from ``SeededRNG`` in row-major order of the weight tensor.
public enum Initializer: String, Sendable, CaseIterable, Codable {
    case truncatedNormalFanIn, truncatedNormalFanOut, glorotUniform, heNormal, zeros

    public func weights(shape: [Int], fanIn: Int, fanOut: Int, rng: inout SeededRNG) -> Tensor {
        let count = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: count)
        switch self {
        case .truncatedNormalFanIn:
            let std = 1 / Double(fanIn).squareRoot()
            for i in 0..<count { values[i] = Float(rng.truncatedNormal(std: std)) }
        case .truncatedNormalFanOut:
            let std = 1 / Double(fanOut).squareRoot()
            for i in 0..<count { values[i] = Float(rng.truncatedNormal(std: std)) }
        case .glorotUniform:
            let limit = Float((6 / Double(fanIn + fanOut)).squareRoot())
            for i in 0..<count { values[i] = rng.uniform(-limit, limit) }
        case .heNormal:
            let std = (2 / Double(fanIn)).squareRoot()
            for i in 0..<count { values[i] = Float(rng.normal() * std) }
        case .zeros:
            break
        }
        return Tensor(shape: shape, scalars: values)
    }
}
