import CKernels

/// Widening IEEE half-precision values to `Float` through a 65,536-entry table.
///
/// On baseline x86-64 (no F16C instructions) each `Float(Float16)` is a library call
/// (`__extendhfsf2`), which made reading half-precision run files 20% of an analysis;
/// the table is exact (every half value has one float value) and built once (256 KiB).
public enum HalfPrecision {
    private static let table: [Float] = (0...UInt16.max).map { Float(Float16(bitPattern: $0)) }

    /// The float values of `values`, exactly.
    public static func widen(_ values: [Float16]) -> [Float] {
        let table = Self.table
        return [Float](unsafeUninitializedCapacity: values.count) { out, count in
            table.withUnsafeBufferPointer { t in
                values.withUnsafeBufferPointer { v in
                    for i in 0..<v.count { out[i] = t[Int(v[i].bitPattern)] }
                }
            }
            count = values.count
        }
    }
}

extension HalfPrecision {
    /// The half-precision values of `values`, rounded to nearest even, bit for bit what
    /// `Float16(_:)` gives (NaNs too), in a branch-free loop the compiler vectorises.
    ///
    /// On baseline x86-64 each `Float16(Float)` is a library call (`__truncsfhf2`), which
    /// made float16 recording slower than float32. The conversion works on the bits
    /// (Giesen's "float_to_half_fast3_rtne"): normal results add the exponent rebias and
    /// a rounding bias to the float's bits and shift; subnormal results come from one
    /// float addition of a magic constant, whose rounding is the hardware's
    /// round-to-nearest-even; values at or beyond 65520 become ±infinity. NaNs are
    /// converted by `Float16(_:)` in a second pass (none occur in finite activations).
    /// - Complexity: O(n).
    public static func narrow(_ values: [Float]) -> [Float16] {
        guard hardwareNarrowing else { return narrowPortable(values) }
        // F16C's vcvtps2ph, eight at a time: the same bits (tested), 10× the loop below.
        return [Float16](unsafeUninitializedCapacity: values.count) { output, initialized in
            values.withUnsafeBufferPointer { input in
                output.withMemoryRebound(to: UInt16.self) { halves in
                    ip_half_narrow(input.baseAddress, halves.baseAddress, Int64(input.count))
                }
            }
            initialized = values.count
        }
    }

    private static let hardwareNarrowing = ip_half_narrow_available() != 0

    /// ``narrow(_:)`` without F16C: the portable loop (what processors without the
    /// instructions run; tested against `Float16(_:)` everywhere).
    package static func narrowPortable(_ values: [Float]) -> [Float16] {
        let count = values.count
        var result = [Float16](unsafeUninitializedCapacity: count) { output, initialized in
            values.withUnsafeBufferPointer { input in
                let denormMagic = Float(bitPattern: UInt32((127 - 15) + (23 - 10) + 1) << 23)
                let denormMagicBits = denormMagic.bitPattern
                for i in 0..<count {
                    let word = input[i].bitPattern
                    let sign = word & 0x8000_0000
                    let magnitude = word ^ sign
                    // Subnormal or zero results: the magic addition rounds the 10 bits into place.
                    let subnormal = UInt32(truncatingIfNeeded: (Float(bitPattern: magnitude) + denormMagic).bitPattern &- denormMagicBits)
                    // Normal results: rebias the exponent, round to nearest even, take the top bits.
                    let odd = (magnitude >> 13) & 1
                    let normal = (magnitude &+ (UInt32(bitPattern: Int32(15 - 127)) << 23) &+ 0xFFF &+ odd) >> 13
                    var half = magnitude < (113 << 23) ? subnormal : normal
                    half = magnitude >= ((127 + 16) << 23) ? 0x7C00 : half
                    output[i] = Float16(bitPattern: UInt16(truncatingIfNeeded: half | (sign >> 16)))
                }
            }
            initialized = count
        }
        if values.contains(where: \.isNaN) {
            for i in 0..<count where values[i].isNaN { result[i] = Float16(values[i]) }
        }
        return result
    }
}
