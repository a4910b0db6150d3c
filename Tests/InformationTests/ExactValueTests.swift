import Datasets
import Foundation
@testable import Information
import Tensor
import Testing
import TestSupport
import RealModule

/// The closed-form values on var_u (all 4096 12-bit inputs, X uniform).
@Suite("Binning: exact values on var_u")
struct ExactValueTests {
    static let data = try! DatasetLoaders.mat(TestSupport.dataFile("var_u.mat"))
    /// H(Y) from the label counts (2072 of 4096 ones), in Double, independent of the
    /// estimators.
    static let hy: Double = {
        let p = Double(data.labels.filter { $0 == 1 }.count) / Double(data.labels.count)
        return -(p * log2(p) + (1 - p) * log2(1 - p))
    }()

    /// T given by one integer per sample, binned with width 1 (each integer its own bin).
    func estimate(_ values: [Int]) -> (ixt: Double, ity: Double) {
        let t = Tensor(shape: [values.count, 1], scalars: values.map { Float($0) + 0.5 })
        return BinnedEstimator(.width(1)).estimate(t, labels: Self.data.labels)
    }

    @Test func inputItselfAndLabel() {
        // T = X: the 12 bits as 12 units, two intervals over [0, 1].
        let x = BinnedEstimator(.intervals(2), range: .fixed(0, 1)).estimate(Self.data.inputs, labels: Self.data.labels)
        #expect(x.ixt.isApproximatelyEqual(to: 12, absoluteTolerance: 1e-12))
        #expect(x.ity.isApproximatelyEqual(to: Self.hy, absoluteTolerance: 1e-9))
        let y = estimate(Self.data.labels.map { Int($0) })
        #expect(y.ixt.isApproximatelyEqual(to: Self.hy, absoluteTolerance: 1e-9))
        #expect(y.ity.isApproximatelyEqual(to: Self.hy, absoluteTolerance: 1e-9))
    }

    @Test func numberOfOnes() {
        let ones = (0..<4096).map { row in (0..<12).filter { Self.data.inputs.scalars[row * 12 + $0] == 1 }.count }
        let t = estimate(ones)
        // H of Binomial(12, 1/2): −Σ_k C(12,k)/4096 · log2(C(12,k)/4096) = 2.8385287436 bits;
        // I(T;Y) = 0.6276412392 bits (the independent numpy recomputation).
        var binomial = 0.0, choose = 1  // C(12, k)
        for k in 0...12 {
            let p = Double(choose) / 4096
            binomial -= p * log2(p)
            choose = choose * (12 - k) / (k + 1)
        }
        #expect(binomial.isApproximatelyEqual(to: 2.8385287436, absoluteTolerance: 1e-10))
        #expect(t.ixt.isApproximatelyEqual(to: 2.8385287436, absoluteTolerance: 1e-9))
        #expect(t.ity.isApproximatelyEqual(to: 0.6276412392, absoluteTolerance: 1e-9))
    }

    /// T = the orbit of x under the 120 automorphisms of the icosahedron graph on the 12
    /// bits (computed here by backtracking), on which var_u's label is constant.
    @Test func icosahedralOrbits() throws {
        let csv = try String(contentsOfFile: TestSupport.dataFile("var_u_icosahedron_adjacency.csv"), encoding: .utf8)
        let adjacency = csv.split(separator: "\n").map { $0.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces))! } }
        #expect(adjacency.count == 12)
        var automorphisms: [[Int]] = []
        func extend(_ mapping: [Int]) {
            if mapping.count == 12 { automorphisms.append(mapping); return }
            let v = mapping.count
            for image in 0..<12 where !mapping.contains(image) {
                if (0..<v).allSatisfy({ adjacency[v][$0] == adjacency[image][mapping[$0]] }) { extend(mapping + [image]) }
            }
        }
        extend([])
        #expect(automorphisms.count == 120)
        // Column 0 of F is the most significant bit of the row index.
        func permute(_ pattern: Int, _ p: [Int]) -> Int {
            var out = 0
            for bit in 0..<12 where pattern & (1 << (11 - bit)) != 0 { out |= 1 << (11 - p[bit]) }
            return out
        }
        let orbit = (0..<4096).map { x in automorphisms.map { permute(x, $0) }.min()! }
        #expect(Set(orbit).count == 82)
        let t = estimate(orbit)
        #expect(t.ixt.isApproximatelyEqual(to: 6.0737613798, absoluteTolerance: 1e-9))
        #expect(t.ity.isApproximatelyEqual(to: Self.hy, absoluteTolerance: 1e-9))
    }
}
