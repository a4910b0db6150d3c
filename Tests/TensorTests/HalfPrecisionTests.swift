import Tensor
import Testing

/// The vectorised float → half conversion against `Float16(_:)`, bit for bit.
@Suite("Half precision: narrowing")
struct HalfNarrowingTests {
    @Test func narrowingEqualsFloat16Conversion() {
        var rng = SeededRNG(seed: 16)
        var values: [Float] = [0, -0, 1, -1, 65504, 65519.99, 65520, -65520, 1e10, .infinity, -.infinity, .nan, -.nan,
                               Float(bitPattern: 0x7FC0_1234), .leastNonzeroMagnitude, 5.96e-8, 2.98e-8, 2.99e-8, 6.1e-5, 6.09e-5,
                               .greatestFiniteMagnitude, 0.1, 1.0 / 3]
        // Every exponent, with the 13 bits that rounding looks at set to the cases around a tie.
        for exponent in UInt32(0)...255 {
            for low: UInt32 in [0, 1, 0x0FFF, 0x1000, 0x1001, 0x17FF, 0x1FFF, 0x2000, 0x2FFF, 0x3000] {
                for _ in 0..<8 {
                    let high = UInt32(rng.next() & 0x3FF) << 13
                    let bits = exponent << 23 | high | low
                    values.append(Float(bitPattern: bits))
                    values.append(Float(bitPattern: bits | 0x8000_0000))
                }
            }
        }
        for _ in 0..<1_000_000 { values.append(Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))) }
        // The hardware path (F16C, where the processor has it) and the portable loop, on
        // every length mod 8.
        for narrowed in [HalfPrecision.narrow(values), HalfPrecision.narrowPortable(values)] {
            var mismatches = 0
            for (value, half) in zip(values, narrowed) where half.bitPattern != Float16(value).bitPattern {
                mismatches += 1
                if mismatches <= 5 { Issue.record("\(value) (0x\(String(value.bitPattern, radix: 16))): 0x\(String(half.bitPattern, radix: 16)), Float16 gives 0x\(String(Float16(value).bitPattern, radix: 16))") }
            }
            #expect(mismatches == 0, "\(mismatches) of \(values.count) differ")
        }
        for count in 0..<17 {
            let short = Array(values[100..<(100 + count)])
            #expect(HalfPrecision.narrow(short).map(\.bitPattern) == short.map { Float16($0).bitPattern }, "\(count) values")
        }
    }
}
