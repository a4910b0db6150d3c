import Foundation
import HDF5

/// SplitMix64: the fuzzer's seeded source of choices (cases are reproducible by seed).
struct FuzzRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// Byte-level mutations: what disks, transfers and hostile users do to files.
enum ByteMutation: CaseIterable {
    case flip, truncate, overwriteWord, zeroRun, duplicateTail

    /// Mutates `bytes`; returns a short description for the failure message.
    func apply(_ bytes: inout [UInt8], _ random: inout FuzzRandom) -> String {
        guard !bytes.isEmpty else { return "empty" }
        switch self {
        case .flip:
            let flips = 1 + random.below(8)
            for _ in 0..<flips { bytes[random.below(bytes.count)] ^= UInt8(1 << random.below(8)) }
            return "\(flips) bit flips"
        case .truncate:
            let length = random.below(bytes.count)
            bytes.removeSubrange(length...)
            return "truncated to \(length) bytes"
        case .overwriteWord:
            // Sizes and offsets: the values that break arithmetic.
            let words: [UInt64] = [0, 0xFFFF_FFFF_FFFF_FFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x7FF8_0000_0000_0000,
                                   0x7FF0_0000_0000_0000, 1 << 40, 0x4000_0000]
            let word = random.pick(words)
            let width = random.pick([1, 2, 4, 8])
            let at = random.below(max(1, bytes.count - width))
            for b in 0..<min(width, bytes.count - at) { bytes[at + b] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(b))) }
            return "\(width)-byte word \(String(word, radix: 16)) at \(at)"
        case .zeroRun:
            let at = random.below(bytes.count)
            let length = min(bytes.count - at, 1 + random.below(64))
            for i in at..<(at + length) { bytes[i] = 0 }
            return "\(length) zero bytes at \(at)"
        case .duplicateTail:
            let at = random.below(bytes.count)
            bytes += bytes[at...]
            return "tail from \(at) repeated"
        }
    }
}

/// Structured edits of a run file through the HDF5 layer: values that are legal HDF5
/// but hostile to the lab (sizes, labels, non-finite numbers, paths in attributes).
enum RunFileEdit: CaseIterable {
    case nanActivations, infiniteActivations, hugeWeight, negativeLabels, hugeLabels, badOutputShape, hugeOutputShape,
         escapingExperiment, futureVersion, hugeTotalEpochs, scrambledCommitRecord, garbageConfig, negativeTotalEpochs,
         nanInput, hugeInput

    func apply(to path: String, escape: String, _ random: inout FuzzRandom) throws -> String {
        let file = try H5File.open(path, mode: .readWrite)
        let layers = try file.group("layers")
        let names = try layers.childNames()
        let layer = try layers.group(random.pick(names))
        switch self {
        case .nanActivations, .infiniteActivations:
            let data = try layer.dataset("activations")
            let shape = try data.shape()
            let row = shape.dropFirst().reduce(1, *)
            var values = try data.readRow(0, as: Float.self)
            values[random.below(row)] = self == .nanActivations ? .nan : -.infinity
            try data.writeRow(0, values)
            return "non-finite activation in \(layer.path)"
        case .hugeWeight:
            guard layer.isDataset("weights") else { return "no weights in \(layer.path)" }
            let data = try layer.dataset("weights")
            var values = try data.readRow(0, as: Float.self)
            values[random.below(values.count)] = -1e30
            for k in 0..<(try data.shape()[0]) { try data.writeRow(k, values) }
            return "weight −1e30 in \(layer.path)"
        case .negativeLabels, .hugeLabels:
            let y = try file.dataset("dataset/y")
            var labels = try y.read(as: Int32.self)
            labels[random.below(labels.count)] = self == .negativeLabels ? -5 : 2_000_000_000
            try y.write(labels)
            return "label edited"
        case .badOutputShape:
            try layer.setAttribute("output_shape", [Int64(random.pick([-1, 0, 3, 7]))])
            return "output_shape of \(layer.path) edited"
        case .hugeOutputShape:
            try layer.setAttribute("output_shape", [Int64(1) << 40, Int64(1) << 30])
            return "huge output_shape of \(layer.path)"
        case .escapingExperiment:
            try file.setAttribute("experiment", escape)
            return "experiment = \(escape)"
        case .futureVersion:
            try file.setAttribute("format_version", Int32(99))
            return "format_version 99"
        case .hugeTotalEpochs:
            try file.setAttribute("total_epochs", Int64(1) << 62)
            return "total_epochs 2^62"
        case .negativeTotalEpochs:
            try file.setAttribute("total_epochs", Int64(-3))
            return "total_epochs −3"
        case .scrambledCommitRecord:
            let epochs = try file.dataset("epochs")
            var values = try epochs.read(as: Int64.self)
            values[random.below(values.count)] = random.pick([Int64.max, 1 << 40, -7, 3])
            try epochs.write(values)
            return "commit record edited"
        case .nanInput, .hugeInput:
            // The recorded inputs give `explain` its bounds (deep Taylor's z^B rule names them).
            let x = try file.dataset("dataset/x")
            var values = try x.read(as: Float.self)
            values[random.below(values.count)] = self == .nanInput ? .nan : 3e38
            try x.write(values)
            return self == .nanInput ? "NaN recorded input" : "recorded input 3e38"
        case .garbageConfig:
            try file.setAttribute("config", random.pick(["{", "name: [", "\u{0}\u{1}", "data: {source: mat, path: /dev/zero}"]))
            return "config attribute edited"
        }
    }
}

/// Structured edits of an analysis file through the HDF5 layer: legal HDF5, hostile to
/// the lab (versions, run paths and digests, coordinates and shapes that disagree,
/// non-finite and extreme bits, names that would make paths).
enum AnalysisFileEdit: CaseIterable {
    case futureVersion, negativeVersion, escapingRunPath, absoluteRunPath, garbageDigest, fewerRunPaths,
         nanInformation, extremeInformation, descendingEpochs, hugeEpochs, escapingLayerName, fewerLayers,
         shorterIXT, garbageEstimatorAttribute, escapingEstimatorLabel, escapingExperiment, garbageSweep, removedSeeds

    func apply(to path: String, escape: String, _ random: inout FuzzRandom) throws -> String {
        let file = try H5File.open(path, mode: .readWrite)
        let estimators = try file.group("estimators")
        let label = random.pick(try estimators.childNames())
        let group = try estimators.group(label)
        switch self {
        case .futureVersion, .negativeVersion:
            let version: Int32 = self == .futureVersion ? 99 : -1
            try file.setAttribute("format_version", version)
            return "format_version \(version)"
        case .escapingRunPath, .absoluteRunPath, .fewerRunPaths:
            var paths = try file.dataset("run_path").readStrings()
            if self == .fewerRunPaths { paths.removeLast() } else { paths[random.below(paths.count)] = self == .escapingRunPath ? escape + "/run-1.h5" : "/etc/passwd" }
            try file.remove("run_path")
            try file.writeStrings("run_path", paths)
            return self == .fewerRunPaths ? "one run path fewer" : "run path \(paths)"
        case .garbageDigest:
            let digests = try file.dataset("run_digest").readStrings()
            try file.remove("run_digest")
            try file.writeStrings("run_digest", digests.map { _ in random.pick(["sha256:zz", "", "md5:0", String(repeating: "f", count: 10_000)]) })
            return "run digests edited"
        case .nanInformation, .extremeInformation:
            let name = random.pick(["ixt", "ity", "ixt_mean", "ity_ci_high"])
            let data = try group.dataset(name)
            var values = try data.read(as: Double.self)
            let value = self == .nanInformation ? Double.nan : random.pick([1e308, -1e308, .infinity, 5e-324])
            values[random.below(values.count)] = value
            try data.write(values)
            return "\(label)/\(name) holds \(value)"
        case .descendingEpochs, .hugeEpochs:
            for container in [file as any H5Container, group] {
                let data = try container.dataset("epoch")
                var values = try data.read(as: Int64.self)
                if self == .descendingEpochs { values.reverse() } else { values[values.count - 1] = 1 << 62 }
                try data.write(values)
            }
            return self == .descendingEpochs ? "epochs descending" : "an epoch of 2^62"
        case .escapingLayerName, .fewerLayers:
            for container in [file as any H5Container, group] {
                var names = try container.dataset("layer").readStrings()
                if self == .fewerLayers { names.removeLast() } else { names[0] = escape }
                try container.remove("layer")
                try container.writeStrings("layer", names)
            }
            return self == .fewerLayers ? "one layer name fewer" : "layer named \(escape)"
        case .shorterIXT:
            let shape = try group.dataset("ixt").shape()
            try group.remove("ixt")
            try group.writeDataset("ixt", [Double](repeating: 1, count: shape[0] * shape[1]), shape: [shape[0], shape[1]])
            return "\(label)/ixt of rank 2"
        case .garbageEstimatorAttribute:
            let text = random.pick(["binning:bins=-1", "{", "kde:noise=nan", "knn:k=99999999999999999999", "\u{0}"])
            try group.setAttribute("estimator", text)
            return "\(label)@estimator = \(text)"
        case .escapingEstimatorLabel:
            try group.setAttribute("label", escape)
            return "\(label)@label = \(escape)"
        case .escapingExperiment:
            try file.setAttribute("experiment", escape)
            return "experiment = \(escape)"
        case .garbageSweep:
            let text = random.pick(["[", "model.widths: [1, 2", "a: b: c", String(repeating: "x: 1\n", count: 5000)])
            try file.setAttribute("sweep", text)
            return "sweep attribute edited"
        case .removedSeeds:
            try group.remove("seed")
            return "\(label)/seed removed"
        }
    }
}
