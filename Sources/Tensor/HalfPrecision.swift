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
