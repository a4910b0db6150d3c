import RealModule

/// Counts discrete symbols (64-bit keys, optionally paired with a class label) in an
/// open-addressing hash table, and turns the counts into entropies in bits.
///
/// - Complexity: O(n) expected per pass; no sorting.
struct SymbolCounter {
    private var keys: [UInt64]
    private var labels: [Int32]
    private var counts: [Int32]
    private var used: [Int]
    private var mask: Int

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: 0, count: size)
        labels = [Int32](repeating: 0, count: size)
        counts = [Int32](repeating: 0, count: size)
        used = []
        used.reserveCapacity(capacity)
        mask = size - 1
    }

    /// Empties the table (touching only the used slots).
    mutating func reset() {
        for slot in used { counts[slot] = 0 }
        used.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    static func mix(_ key: UInt64, _ label: Int32) -> Int {
        var z = key &+ UInt64(bitPattern: Int64(label)) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: z ^ (z >> 31))
    }

    /// Adds one occurrence of (key, label).
    @inline(__always)
    mutating func add(_ key: UInt64, label: Int32 = 0) {
        var slot = Self.mix(key, label) & mask
        while counts[slot] != 0 {
            if keys[slot] == key && labels[slot] == label {
                counts[slot] += 1
                return
            }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        labels[slot] = label
        counts[slot] = 1
        used.append(slot)
    }

    /// The number of distinct symbols counted.
    var distinct: Int { used.count }

    /// −Σ p log₂ p over the counted symbols, with p = count / total.
    func entropy(total: Int) -> Double {
        guard total > 0 else { return 0 }
        let n = Double(total)
        var sum = 0.0
        for slot in used where counts[slot] > 1 {   // c log c = 0 for the (many) singletons
            let c = Double(counts[slot])
            sum += c * Double.log2(c)
        }
        return Double.log2(n) - sum / n
    }
}

