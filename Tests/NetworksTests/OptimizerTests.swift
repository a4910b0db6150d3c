import CKernels
import Foundation
@testable import Networks
import Tensor
import Testing
import RealModule

@Suite("Optimizers and initializers")
struct OptimizerTests {
    static func oneLayer(_ w: [Float]) throws -> Sequential {
        try Sequential(inputShape: [w.count], layers: [
            Dense(name: "d", weights: Tensor(shape: [w.count, 1], scalars: w), bias: Tensor(shape: [1], scalars: [0.5])),
        ])
    }

    /// Adam's element loop in C gives the bits of the Swift loop it replaced (transcribed
    /// here), on both paths, with and without weight decay, for every length mod 8.
    @Test func adamKernelGivesTheSwiftLoopsBits() {
        var rng = SeededRNG(seed: 21)
        for count in [1, 7, 8, 9, 120, 263] {
            for decay: Float in [0, 1e-3] {
                let theta = (0..<count).map { _ in Float(rng.normal()) }, g = (0..<count).map { _ in Float(rng.normal()) * 0.1 }
                let m0 = (0..<count).map { _ in Float(rng.normal()) * 0.01 }, v0 = (0..<count).map { _ in Float(rng.uniform(0, 1e-3)) }
                let (b1, b2, eps, rate): (Float, Float, Float, Float) = (0.9, 0.999, 1e-8, 3.7e-4)
                var expected = theta, m = m0, v = v0
                for i in 0..<count {
                    var gi = g[i]
                    if decay != 0 { gi += decay * expected[i] }
                    m[i] = b1 * m[i] + (1 - b1) * gi
                    v[i] = b2 * v[i] + (1 - b2) * gi * gi
                    expected[i] -= rate * m[i] / (v[i].squareRoot() + eps)
                }
                for wide: Int32 in [1, 0] {
                    var t = theta, mc = m0, vc = v0
                    ip_adam_update(wide, &t, g, &mc, &vc, Int64(count), b1, b2, eps, rate, decay)
                    #expect(t.map(\.bitPattern) == expected.map(\.bitPattern) && mc == m && vc == v, "\(count), decay \(decay), path \(wide)")
                }
            }
        }
    }

    /// Adam's TensorFlow-form update, two steps, against the formulas in Double.
    @Test func adamMatchesItsFormula() throws {
        var model = try Self.oneLayer([1, -2])
        var adam = Adam(learningRate: 0.1, epsilon: 1e-8)
        let g1: [Float] = [0.3, -0.7], g2: [Float] = [-0.2, 0.4]
        var m = [0.0, 0.0], v = [0.0, 0.0], theta = [1.0, -2.0]
        for (t, g) in [g1, g2].enumerated() {
            adam.update(&model, gradients: [[Tensor(shape: [2, 1], scalars: g), Tensor(shape: [1], scalars: [0])]])
            let step = Double(t + 1)
            let rate = 0.1 * (1 - pow(0.999, step)).squareRoot() / (1 - pow(0.9, step))
            for i in 0..<2 {
                m[i] = 0.9 * m[i] + 0.1 * Double(g[i])
                v[i] = 0.999 * v[i] + 0.001 * Double(g[i]) * Double(g[i])
                theta[i] -= rate * m[i] / (v[i].squareRoot() + 1e-8)
            }
        }
        for i in 0..<2 { #expect((Double(model.layers[0].parameters[0].scalars[i])).isApproximatelyEqual(to: theta[i], absoluteTolerance: 1e-6)) }
        #expect(adam.steps == 2)
        #expect(adam.state.count == 4)
    }

    @Test func sgdWithMomentumAndDecay() throws {
        var model = try Self.oneLayer([1, -2])
        var sgd = SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        let g: [Float] = [0.5, 0.5]
        var theta = [1.0, -2.0], velocity = [0.0, 0.0]
        var bias = 0.5, biasVelocity = 0.0
        for _ in 0..<3 {
            sgd.update(&model, gradients: [[Tensor(shape: [2, 1], scalars: g), Tensor(shape: [1], scalars: [1])]])
            for i in 0..<2 {
                velocity[i] = 0.9 * velocity[i] + (0.5 + 0.01 * theta[i])
                theta[i] -= 0.1 * velocity[i]
            }
            biasVelocity = 0.9 * biasVelocity + 1  // no decay on biases
            bias -= 0.1 * biasVelocity
        }
        for i in 0..<2 { #expect((Double(model.layers[0].parameters[0].scalars[i])).isApproximatelyEqual(to: theta[i], absoluteTolerance: 1e-6)) }
        #expect((Double(model.layers[0].parameters[1].scalars[0])).isApproximatelyEqual(to: bias, absoluteTolerance: 1e-6))
    }

    @Test func initializerStatistics() {
        var rng = SeededRNG(seed: 9)
        let fanIn = 50, fanOut = 200
        let n = 100_000
        func stats(_ t: Tensor) -> (std: Double, maxAbs: Double) {
            let values = t.scalars.map(Double.init)
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
            return (variance.squareRoot(), values.map(abs).max()!)
        }
        // A normal truncated at ±2σ has standard deviation 0.8796σ.
        let inStd = 1 / Double(fanIn).squareRoot()
        let a = stats(Initializer.truncatedNormalFanIn.weights(shape: [n], fanIn: fanIn, fanOut: fanOut, rng: &rng))
        #expect((a.std / (0.8796 * inStd)).isApproximatelyEqual(to: 1, absoluteTolerance: 0.02))
        #expect(a.maxAbs <= 2 * inStd * (1 + 1e-6))
        let outStd = 1 / Double(fanOut).squareRoot()
        let b = stats(Initializer.truncatedNormalFanOut.weights(shape: [n], fanIn: fanIn, fanOut: fanOut, rng: &rng))
        #expect((b.std / (0.8796 * outStd)).isApproximatelyEqual(to: 1, absoluteTolerance: 0.02))
        let limit = (6 / Double(fanIn + fanOut)).squareRoot()
        let c = stats(Initializer.glorotUniform.weights(shape: [n], fanIn: fanIn, fanOut: fanOut, rng: &rng))
        #expect((c.std / (limit / 3.0.squareRoot())).isApproximatelyEqual(to: 1, absoluteTolerance: 0.02))
        #expect(c.maxAbs <= limit)
        let d = stats(Initializer.heNormal.weights(shape: [n], fanIn: fanIn, fanOut: fanOut, rng: &rng))
        #expect((d.std / (2 / Double(fanIn)).squareRoot()).isApproximatelyEqual(to: 1, absoluteTolerance: 0.02))
        #expect(Initializer.zeros.weights(shape: [3], fanIn: 1, fanOut: 1, rng: &rng).scalars == [0, 0, 0])
    }
}
