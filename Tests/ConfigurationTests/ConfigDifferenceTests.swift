import Configuration
import Testing

/// What `--resume`, `--extend-to` and training into a finished folder compare: the keys
/// that shape a run, with `model.arithmetic` read as `blas` where a stored configuration
/// leaves it out (runs recorded before `fused` became the default).
@Suite("Configuration differences")
struct ConfigDifferenceTests {
    static let old = "name: e\nmodel: {widths: [4, 3]}\ntraining: {epochs: 30}\n"

    @Test func anAbsentArithmeticIsBlas() {
        let blas = Self.old.replacingOccurrences(of: "[4, 3]}", with: "[4, 3], arithmetic: blas}")
        let fused = Self.old.replacingOccurrences(of: "[4, 3]}", with: "[4, 3], arithmetic: fused}")
        #expect(ConfigDifference.runKeys(Self.old, blas).isEmpty)
        #expect(ConfigDifference.runKeys(Self.old, fused) == ["model.arithmetic"])
        #expect(ConfigDifference.runKeys(fused, fused + "repeats: 4\ndescription: more\n").isEmpty)
    }

    @Test func theAdviceNamesTheRunsArithmetic() {
        let fused = Self.old.replacingOccurrences(of: "[4, 3]}", with: "[4, 3], arithmetic: fused}")
        let advice = ConfigDifference.arithmeticAdvice(stored: Self.old, differences: ["model.arithmetic"])
        #expect(advice.contains("`model.arithmetic: blas` (the default before `fused`)"), "\(advice)")
        #expect(ConfigDifference.arithmeticAdvice(stored: fused, differences: ["model.arithmetic"]).contains("`model.arithmetic: fused`:"))
        #expect(ConfigDifference.arithmeticAdvice(stored: Self.old, differences: ["training.epochs"]).isEmpty)
    }
}
