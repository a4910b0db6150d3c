import RealModule

/// A seeded pseudo-random generator that gives the same stream on every machine.
///
/// Algorithm: **xoshiro256\*\*** (Blackman & Vigna, "Scrambled linear pseudorandom number
/// generators", ACM TOMS 2021), state seeded from one 64-bit seed by **SplitMix64**
/// (Steele, Lea & Flood 2014), as the authors recommend. Derived values are defined
/// here, not by the standard library (whose algorithms may change between releases):
///
/// - `uniform()`: the top 24 bits of `next()` times 2⁻²⁴, in [0, 1).
/// - `uniformDouble()`: the top 53 bits times 2⁻⁵³, in [0, 1).
/// - `normal()`: Box–Muller on two doubles, `sqrt(-2 ln(1-u1)) · cos(2π u2)`, one draw
///   per pair (the sine half is discarded so that the stream has no hidden state).
/// - `int(below:)`: Lemire's nearly-divisionless unbiased bounded integer (2019).
/// - `shuffle`: Fisher–Yates from the last index down.
///
/// Streams for independent purposes (initialisation, minibatch order, splits) are
/// forked with ``fork(_:)``, so that changing how many numbers one purpose draws does
/// not shift another's.
public struct SeededRNG: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator whose state is SplitMix64(seed) × 4.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// An independent generator for a named purpose, derived from this one's seed
    /// state and the purpose's label (FNV-1a hash) without advancing this one.
    public func fork(_ purpose: String) -> SeededRNG {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in purpose.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return SeededRNG(seed: s0 ^ (s1 >> 1) ^ hash)
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits.
    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = SeededRNG.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = SeededRNG.rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits.
    @inline(__always)
    public mutating func uniform() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    public mutating func uniformDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * uniform()
    }

    /// A standard normal draw (Box–Muller, cosine branch).
    public mutating func normal() -> Double {
        let u1 = uniformDouble()
        let u2 = uniformDouble()
        return (-2 * Double.log(1 - u1)).squareRoot() * Double.cos(2 * Double.pi * u2)
    }

    /// A normal draw with mean 0 and standard deviation `std`, redrawn until it lies
    /// within `±cut · std` (TensorFlow's `truncated_normal` uses `cut = 2`).
    public mutating func truncatedNormal(std: Double, cut: Double = 2) -> Double {
        while true {
            let z = normal()
            if abs(z) <= cut { return z * std }
        }
    }

    /// An unbiased integer in `0..<bound` (Lemire 2019).
    public mutating func int(below bound: Int) -> Int {
        precondition(bound > 0, "int(below:) needs a positive bound")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// Shuffles in place with Fisher–Yates (last index down).
    public mutating func shuffle<C: MutableCollection & RandomAccessCollection>(_ values: inout C) where C.Index == Int {
        guard values.count > 1 else { return }
        var i = values.endIndex - 1
        while i > values.startIndex {
            let j = values.startIndex + int(below: i - values.startIndex + 1)
            values.swapAt(i, j)
            i -= 1
        }
    }

    /// Shuffles an array of indices in place; the same stream as the generic
    /// ``shuffle(_:)``, specialised for the minibatch loop.
    public mutating func shuffle(_ values: inout [Int]) {
        guard values.count > 1 else { return }
        values.withUnsafeMutableBufferPointer { buffer in
            var i = buffer.count - 1
            while i > 0 {
                let j = int(below: i + 1)
                buffer.swapAt(i, j)
                i -= 1
            }
        }
    }

    /// A random permutation of `0..<count`.
    public mutating func permutation(_ count: Int) -> [Int] {
        var values = Array(0..<count)
        shuffle(&values)
        return values
    }
}
