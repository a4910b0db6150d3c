import Datasets
import Foundation
import Testing
import TestSupport

@Suite("Splits")
struct SplitTests {
    @Test func shuffledSplitIsSeededAndDisjoint() {
        let a = Split.shuffled(count: 4096, trainFraction: 0.85, seed: 7)
        let b = Split.shuffled(count: 4096, trainFraction: 0.85, seed: 7)
        let c = Split.shuffled(count: 4096, trainFraction: 0.85, seed: 8)
        #expect(a == b)
        #expect(a != c)
        #expect(a.train.count == 3482)
        #expect(a.test.count == 614)
        #expect(Set(a.train).isDisjoint(with: a.test))
        #expect(Set(a.train + a.test) == Set(0..<4096))
        #expect(Split.trainCount(4096, fraction: 0.8) == 3277)
    }

    @Test func stratifiedKeepsProportions() throws {
        let data = try DatasetLoaders.mat(TestSupport.dataFile("var_u.mat"))
        let split = Split.stratified(labels: data.labels, trainFraction: 0.05, seed: 1)
        let ones = split.train.filter { data.labels[$0] == 1 }.count
        #expect(ones == Split.trainCount(2118, fraction: 0.05))
        #expect(split.train.count - ones == Split.trainCount(4096 - 2118, fraction: 0.05))
        #expect(Set(split.train).isDisjoint(with: split.test))
        #expect(split.train.count + split.test.count == 4096)
    }

    @Test func explicitSplitsAreValidated() throws {
        #expect(throws: DatasetError.self) { try Split.explicit(train: [0, 1], test: [1, 2], count: 5, file: "f") }
        #expect(throws: DatasetError.self) { try Split.explicit(train: [0, 9], test: [], count: 5, file: "f") }
        #expect(throws: DatasetError.self) { try Split.explicit(train: [0, 0], test: [], count: 5, file: "f") }
        let path = TestSupport.temporaryDirectory("split").appendingPathComponent("split.txt").path
        try "# a split\ntrain: 4 0, 2\ntest: 1 3\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try Split.read(path, count: 5) == Split(train: [0, 2, 4], test: [1, 3]))
        try "train: 0 x\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: DatasetError.self) { try Split.read(path, count: 5) }
    }
}
