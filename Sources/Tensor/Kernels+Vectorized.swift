/// Buffer kernels for `exp`, `tanh` and `sigmoid`, written as straight-line arithmetic
/// (no library calls) so that the compiler vectorises the loops.
///
/// `exp` follows Cephes' `expf` (Moshier 1992): x = n·ln 2 + r with |r| ≤ ln2/2 (ln 2
/// split in two constants for an exact reduction), e^r by a degree-6 polynomial, and
/// 2^n built in the exponent bits. Relative error ≤ 2.5e-7 on [−87.3, 88.3]; inputs are
/// clamped to that range (so e^x saturates at about 2.1e38 and bottoms out at
/// about 1.2e-38 instead of overflowing or going subnormal).
extension Kernels {
    /// e^x with the contract above (scalar form of the vectorised kernel).
    @inlinable @inline(__always)
    public static func fastExp(_ x: Float) -> Float {
        let clamped = min(max(x, -87.3), 88.3)
        // Round x·log2(e) to the nearest integer with the 1.5·2²³ trick: after the add,
        // the float's low mantissa bits hold the integer (no trapping conversion, so the
        // loop vectorises).
        let shifted = clamped * 1.442_695_040_888_963_4 + 12_582_912
        let n = shifted - 12_582_912
        var r = clamped - n * 0.693_359_375
        r = r - n * -2.121_944_400_546_905_8e-4
        var p: Float = 1.987_569_150_0e-4
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        p = p * (r * r) + r + 1
        let exponent = (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23
        return p * Float(bitPattern: exponent)
    }

    /// tanh x = 1 − 2/(e^{2x} + 1); absolute error ≤ 2.5e-7.
    @inlinable @inline(__always)
    public static func fastTanh(_ x: Float) -> Float {
        1 - 2 / (fastExp(x + x) + 1)
    }

    /// 1/(1 + e^−x).
    @inlinable @inline(__always)
    public static func fastSigmoid(_ x: Float) -> Float {
        1 / (1 + fastExp(-x))
    }

    /// tanh in place over a buffer. - Complexity: O(n), vectorised.
    public static func tanh(_ values: UnsafeMutableBufferPointer<Float>) {
        guard let base = values.baseAddress else { return }
        for i in 0..<values.count { base[i] = fastTanh(base[i]) }
    }

    /// The logistic sigmoid in place over a buffer. - Complexity: O(n), vectorised.
    public static func sigmoid(_ values: UnsafeMutableBufferPointer<Float>) {
        guard let base = values.baseAddress else { return }
        for i in 0..<values.count { base[i] = fastSigmoid(base[i]) }
    }
}
