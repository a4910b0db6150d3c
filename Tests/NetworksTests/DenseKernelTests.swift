import CKernels
import Networks
import Tensor
import Testing
import RealModule

/// The `fused` arithmetic (CKernels/dense_kernels.c): every element one chain of fused
/// multiply-adds in index order from +0, the same bits on the AVX2 path, on the scalar
/// path and in a Swift transcription of the definition; for any batch size and any row
/// blocking.
@Suite("Dense kernels: the fused arithmetic")
struct DenseKernelTests {
    /// The definition, in Swift: `addingProduct` is IEEE's fused multiply-add.
    static func chain(_ count: Int, _ a: (Int) -> Float, _ b: (Int) -> Float) -> Float {
        var acc: Float = 0
        for p in 0..<count { acc = acc.addingProduct(a(p), b(p)) }
        return acc
    }

    struct Case {
        var rows: Int, inputs: Int, outputs: Int
        var x: [Float], w: [Float], bias: [Float], dz: [Float]

        init(rows: Int, inputs: Int, outputs: Int, rng: inout SeededRNG) {
            (self.rows, self.inputs, self.outputs) = (rows, inputs, outputs)
            x = (0..<(rows * inputs)).map { _ in rng.uniform(-2, 2) }
            w = (0..<(inputs * outputs)).map { _ in rng.uniform(-1, 1) }
            bias = (0..<outputs).map { _ in rng.uniform(-1, 1) }
            dz = (0..<(rows * outputs)).map { _ in rng.uniform(-1, 1) }
        }

        /// (y, dx, dw, db) from the kernels on one path.
        func kernels(wide: Int32) -> [[Float]] {
            var y = [Float](repeating: .nan, count: rows * outputs), dx = [Float](repeating: .nan, count: rows * inputs)
            var dw = [Float](repeating: .nan, count: inputs * outputs), db = [Float](repeating: .nan, count: outputs)
            ip_dense_forward(wide, x, Int64(rows), Int32(inputs), w, bias, Int32(outputs), &y)
            ip_dense_input_gradient(wide, dz, Int64(rows), Int32(outputs), w, Int32(inputs), &dx)
            ip_dense_parameter_gradient(wide, x, dz, Int64(rows), Int32(inputs), Int32(outputs), &dw, &db)
            return [y, dx, dw, db]
        }

        /// The same four from the definition.
        func reference() -> [[Float]] {
            var y: [Float] = [], dx: [Float] = [], dw: [Float] = [], db: [Float] = []
            for r in 0..<rows {
                for j in 0..<outputs { y.append(DenseKernelTests.chain(inputs, { x[r * inputs + $0] }, { w[$0 * outputs + j] }) + bias[j]) }
                for i in 0..<inputs { dx.append(DenseKernelTests.chain(outputs, { dz[r * outputs + $0] }, { w[i * outputs + $0] })) }
            }
            for i in 0..<inputs {
                for j in 0..<outputs { dw.append(DenseKernelTests.chain(rows, { x[$0 * inputs + i] }, { dz[$0 * outputs + j] })) }
            }
            for j in 0..<outputs {
                var acc: Float = 0
                for r in 0..<rows { acc += dz[r * outputs + j] }
                db.append(acc)
            }
            return [y, dx, dw, db]
        }
    }

    /// Widths 1…64 in and out (every vector count and remainder, every block height),
    /// batches from 1 to 300.
    @Test func bothPathsGiveTheDefinitionsBits() {
        var rng = SeededRNG(seed: 7)
        var shapes = [(256, 12, 10), (205, 10, 7), (256, 7, 5), (3, 5, 4), (1, 4, 3), (4096, 3, 2), (17, 64, 64), (9, 1, 1), (33, 64, 1), (8, 1, 64)]
        for _ in 0..<40 { shapes.append((1 + rng.int(below: 300), 1 + rng.int(below: 64), 1 + rng.int(below: 64))) }
        for (rows, inputs, outputs) in shapes {
            let c = Case(rows: rows, inputs: inputs, outputs: outputs, rng: &rng)
            let expected = c.reference().map { $0.map(\.bitPattern) }
            for wide: Int32 in [1, 0] {
                let got = c.kernels(wide: wide).map { $0.map(\.bitPattern) }
                for (index, name) in ["y", "dx", "dw", "db"].enumerated() {
                    #expect(got[index] == expected[index], "\(name), \(rows)×\(inputs)→\(outputs), path \(wide)")
                }
            }
        }
    }

    /// A row's outputs do not depend on the batch it is computed in.
    @Test func rowsAreIndependentOfTheirBatch() throws {
        var rng = SeededRNG(seed: 8)
        let model = try Sequential.mlp(inputSize: 12, widths: [10, 7, 5, 4, 3], classes: 2, activation: .tanh,
                                       initializer: .truncatedNormalFanIn, rng: rng).with(arithmetic: .fused)
        let x = Tensor(shape: [37, 12], scalars: (0..<(37 * 12)).map { _ in rng.uniform(-1, 1) })
        let whole = model(x)
        for row in [0, 13, 36] {
            #expect(model(x.gatherRows([row])).scalars == Array(whole.scalars[(row * 2)..<(row * 2 + 2)]))
        }
    }

    /// Training in the fused arithmetic: deterministic, close to the BLAS arithmetic
    /// (the same mathematics, other roundings), and every layer wider than the kernels'
    /// limit stays on BLAS.
    @Test func trainingInTheFusedArithmetic() throws {
        let rng = SeededRNG(seed: 9)
        var inputs: [Float] = [], labels: [Int32] = []
        var data = SeededRNG(seed: 10)
        for _ in 0..<512 {
            let row = (0..<12).map { _ in Float(data.int(below: 2)) }
            inputs += row
            labels.append(Int32(row[0] + row[3] + row[7] > 1 ? 1 : 0))
        }
        let examples = Examples(inputs: Tensor(shape: [512, 12], scalars: inputs), labels: labels)
        func trained(_ arithmetic: Arithmetic) throws -> (Sequential, Double) {
            let model = try Sequential.mlp(inputSize: 12, widths: [10, 7, 5], classes: 2, activation: .tanh,
                                           initializer: .truncatedNormalFanIn, rng: rng).with(arithmetic: arithmetic)
            var trainer = Trainer(model: model, optimizer: Adam(learningRate: 0.01))
            try trainer.train(examples, trainRows: Array(0..<400), testRows: Array(400..<512),
                              schedule: TrainingSchedule(epochs: 30, batchSize: 64, seed: 3))
            let metrics = Trainer.metrics(trainer.model, examples: examples, trainRows: Array(0..<400), testRows: Array(400..<512))
            return (trainer.model, metrics.testAccuracy)
        }
        let (first, accuracy) = try trained(.fused)
        let (again, _) = try trained(.fused)
        let (blas, blasAccuracy) = try trained(.blas)
        #expect(first.arithmetic == .fused && blas.arithmetic == .blas)
        #expect(first.layers.map { $0.parameters.map(\.scalars) } == again.layers.map { $0.parameters.map(\.scalars) })
        #expect(first.layers.map { $0.parameters.map(\.scalars) } != blas.layers.map { $0.parameters.map(\.scalars) })
        #expect(accuracy > 0.9 && accuracy.isApproximatelyEqual(to: blasAccuracy, absoluteTolerance: 0.05), "fused \(accuracy), blas \(blasAccuracy)")
        let wide = try #require(try Sequential.mlp(inputSize: 100, widths: [65], classes: 2, activation: .tanh, initializer: .glorotUniform, rng: rng)
            .with(arithmetic: .fused).layers.first as? Dense)
        #expect(ip_dense_supported(Int32(wide.inputSize), Int32(wide.outputSize)) == 0)
    }
}
