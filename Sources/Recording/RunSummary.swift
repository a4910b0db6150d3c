/// What `infoplane inspect` shows of a run file; `Codable` for `--json`.
public struct RunSummary: Codable, Sendable, Equatable {
    public var path: String
    public var formatVersion: Int
    public var experiment: String
    /// The sweep variant as YAML lines, empty when not a sweep.
    public var sweep: String
    /// The imported model's file, format and SHA-256; nil for a model the lab built.
    public var modelSource: ModelSource?
    /// The writer of a run recorded outside the lab (the Python package), nil for the lab's own.
    public var externalWriter: String?
    public var status: RunStatus
    /// The epoch whose updates made the loss non-finite, for a diverged run.
    public var divergedEpoch: Int?
    public var seed: UInt64
    public var totalEpochs: Int
    public var completedEpochs: Int
    public var logTiming: String
    public var activationStorage: String
    public var samples: Int
    public var layers: [RunFile.Layer]
    public var loggedEpochCount: Int
    /// Every logged epoch, in order.
    public var loggedEpochs: [Int]
    public var finalMetrics: [String: Double]
    public var sizeBytes: Int
    /// The filters of a compacted file (`shuffle+deflate(4)`), nil when contiguous.
    public var compaction: String?
    public var activationBytesPerLoggedEpoch: Double
    public var config: String
}

extension RunFile {
    public func summary() throws -> RunSummary {
        let (_, values) = try metrics()
        var final: [String: Double] = [:]
        for (name, series) in values { if let last = series.last, last.isFinite { final[name] = last } }
        return RunSummary(
            path: path, formatVersion: Int(formatVersion), experiment: experiment, sweep: sweep, modelSource: source, externalWriter: externalWriter, status: status, divergedEpoch: divergedEpoch, seed: seed,
            totalEpochs: totalEpochs, completedEpochs: completedEpochs, logTiming: timing.rawValue,
            activationStorage: storage.rawValue, samples: try sampleCount(),
            layers: layers,
            loggedEpochCount: loggedEpochs.count, loggedEpochs: loggedEpochs, finalMetrics: final, sizeBytes: try sizeOnDisk(), compaction: compaction,
            activationBytesPerLoggedEpoch: try activationBytesPerLoggedEpoch(), config: config)
    }
}
