import CKernels
import Foundation
import Networks
import Tensor
import Testing

/// The C tanh (Networks' activation pass) gives the bits of Swift's scalar
/// `Kernels.fastTanh` on both of its paths, so moving the loop to C changed no trained
/// number.
@Suite("Activation kernels")
struct ActivationKernelTests {
    /// Every 97th float bit pattern (44 million values: all signs, exponents, NaNs,
    /// infinities, subnormals), plus the clamp edges, in buffers of every length mod 8.
    @Test func tanhMatchesTheScalarFormBitForBit() {
        var values: [Float] = [0, -0, .infinity, -.infinity, .nan, 43.65, -43.65, 44.15, -44.15, 9.1, -9.1,
                               .leastNonzeroMagnitude, -.leastNormalMagnitude, .greatestFiniteMagnitude]
        var pattern: UInt32 = 0
        while pattern < UInt32.max - 97 {
            values.append(Float(bitPattern: pattern))
            pattern += 97
        }
        let expected = values.map { Kernels.fastTanh($0).bitPattern }
        for wide: Int32 in [0, 1] {
            var computed = values
            computed.withUnsafeMutableBufferPointer { ip_tanh_variant(wide, $0.baseAddress, Int64($0.count)) }
            let mismatches = computed.indices.filter { computed[$0].bitPattern != expected[$0] }
            let first: Float = mismatches.first.map { values[$0] } ?? 0
            #expect(mismatches.isEmpty, "path \(wide): \(mismatches.count) differ, first at \(first)")
        }
        // Short buffers: the vector loop's remainders.
        for count in 0..<20 {
            var short = Array(values[1000..<(1000 + count)])
            short.withUnsafeMutableBufferPointer { Activation.tanh.apply($0) }
            #expect(short.map(\.bitPattern) == expected[1000..<(1000 + count)].map { $0 }, "\(count) values")
        }
    }

    /// The fused arithmetic's tanh: both paths give the same bits (every 97th pattern),
    /// within 2.5e-7 of tanh in double on [−12, 12], ±1 beyond, NaN kept.
    @Test func fusedTanhIsOneFunctionEverywhere() {
        var values: [Float] = [0, -0, .infinity, -.infinity, .nan, 9.1, -9.1, 44.15, -44.15]
        var pattern: UInt32 = 0
        while pattern < UInt32.max - 97 {
            values.append(Float(bitPattern: pattern))
            pattern += 97
        }
        for step in 0...240_000 { values.append(-12 + Float(step) / 10_000) }
        var wide = values, baseline = values
        wide.withUnsafeMutableBufferPointer { ip_tanh_fused_variant(1, $0.baseAddress, Int64($0.count)) }
        baseline.withUnsafeMutableBufferPointer { ip_tanh_fused_variant(0, $0.baseAddress, Int64($0.count)) }
        #expect(wide.map(\.bitPattern) == baseline.map(\.bitPattern))
        var worst = 0.0
        for (x, y) in zip(values, wide) where x.isFinite {
            worst = max(worst, abs(Double(y) - Foundation.tanh(Double(x))))
        }
        #expect(worst <= 2.5e-7, "worst \(worst)")
        #expect(wide[2] == 1 && wide[3] == -1 && wide[4].isNaN)
    }
}

