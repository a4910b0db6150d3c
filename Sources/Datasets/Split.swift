/// A train/test partition of a data set's sample indices.
///
/// Train counts round to the nearest integer: 85% of 4096 is 3482 samples, 80% is 3277
/// (the size of the ibsgd split). Both index lists are sorted ascending, so the order in
/// which a data set is later iterated is the trainer's (seeded) business alone.
import Foundation

public struct Split: Sendable, Equatable {
    public var train: [Int]
    public var test: [Int]

    public init(train: [Int], test: [Int]) {
        self.train = train
        self.test = test
    }

    /// Number of training samples for `fraction` of `count`, rounded to nearest.
    public static func trainCount(_ count: Int, fraction: Double) -> Int {
        min(count, max(0, Int((Double(count) * fraction).rounded())))
    }

    /// A seeded random split: the first `round(fraction · count)` of a seeded
    /// permutation train, the rest test.
    public static func shuffled(count: Int, trainFraction: Double, seed: UInt64) -> Split {
        var rng = SeededRNGBridge.make(seed: seed, purpose: "split")
        let order = rng.permutation(count)
        let cut = trainCount(count, fraction: trainFraction)
        return Split(train: order[..<cut].sorted(), test: order[cut...].sorted())
    }

    /// A seeded split that keeps each class's proportion: every class is split with
    /// the same fraction (rounded per class) from its own seeded permutation.
    public static func stratified(labels: [Int32], trainFraction: Double, seed: UInt64) -> Split {
        var rng = SeededRNGBridge.make(seed: seed, purpose: "split-stratified")
        var byClass: [Int32: [Int]] = [:]
        for (i, label) in labels.enumerated() { byClass[label, default: []].append(i) }
        var train: [Int] = [], test: [Int] = []
        for label in byClass.keys.sorted() {
            var members = byClass[label]!
            rng.shuffle(&members)
            let cut = trainCount(members.count, fraction: trainFraction)
            train += members[..<cut]
            test += members[cut...]
        }
        return Split(train: train.sorted(), test: test.sorted())
    }

    /// An explicit split, validated against a data set of `count` samples: indices in
    /// range, no duplicates, train and test disjoint.
    public static func explicit(train: [Int], test: [Int], count: Int, file: String) throws(DatasetError) -> Split {
        for (list, name) in [(train, "train"), (test, "test")] {
            if let bad = list.first(where: { $0 < 0 || $0 >= count }) {
                throw DatasetError(.inconsistent, file: file, "\(name) index \(bad) is outside 0..<\(count)")
            }
            if Set(list).count != list.count {
                throw DatasetError(.inconsistent, file: file, "\(name) indices contain duplicates")
            }
        }
        let overlap = Set(train).intersection(test)
        if let first = overlap.min() {
            throw DatasetError(.inconsistent, file: file, "\(overlap.count) indices are both train and test (e.g. \(first))")
        }
        return Split(train: train.sorted(), test: test.sorted())
    }

    /// Reads an explicit split from a text file with two lines, `train: i j k …` and
    /// `test: i j k …` (0-based sample indices, separated by spaces or commas).
    public static func read(_ path: String, count: Int) throws(DatasetError) -> Split {
        let text = String(decoding: try FileBytes.read(path), as: UTF8.self)
        var lists: [String: [Int]] = [:]
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let colon = trimmed.firstIndex(of: ":") else {
                throw DatasetError(.malformed, file: path, "line \(number + 1): expected \"train: …\" or \"test: …\"")
            }
            let key = trimmed[..<colon].trimmingCharacters(in: .whitespaces)
            guard key == "train" || key == "test" else {
                throw DatasetError(.malformed, file: path, "line \(number + 1): unknown list \"\(key)\" (train or test)")
            }
            var values: [Int] = []
            for token in trimmed[trimmed.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }) {
                guard let value = Int(token) else {
                    throw DatasetError(.malformed, file: path, "line \(number + 1): \"\(token)\" is not an index")
                }
                values.append(value)
            }
            lists[key, default: []] += values
        }
        guard let train = lists["train"] else { throw DatasetError(.malformed, file: path, "no train: line") }
        return try explicit(train: train, test: lists["test"] ?? [], count: count, file: path)
    }
}
