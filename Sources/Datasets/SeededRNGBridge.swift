import Tensor

/// The seeded generator for a named purpose within a data set operation.
enum SeededRNGBridge {
    static func make(seed: UInt64, purpose: String) -> SeededRNG {
        SeededRNG(seed: seed).fork(purpose)
    }
}
