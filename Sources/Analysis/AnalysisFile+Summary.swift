import Foundation
import HDF5
import Information

/// What `infoplane inspect` shows of an analysis file; `Codable` for `--json`.
public struct AnalysisSummary: Codable, Sendable, Equatable {
    public struct Estimator: Codable, Sendable, Equatable {
        public var label: String
        public var description: String
        public var dpiViolations: Int
    }

    public var path: String
    public var formatVersion: Int
    public var experiment: String
    /// `key=value, …` of the sweep variant, empty when none.
    public var variant: String
    public var runs: [AnalysedRun]
    public var epochCount: Int
    public var firstEpoch: Int?
    public var lastEpoch: Int?
    public var layers: [String]
    public var estimators: [Estimator]
    public var created: String
    public var modified: String
    public var sizeBytes: Int
}


extension AnalysisFile {
    /// The summary of the analysis file at `path` (any version).
    public static func summary(_ path: String) throws -> AnalysisSummary {
        let contents = try read(path)
        let file = try H5File.open(path)
        func text(_ name: String) -> String { (try? file.stringAttribute(name)) ?? "" }
        let estimators = contents.labels.map { label in
            AnalysisSummary.Estimator(label: label, description: contents.descriptions[label] ?? "",
                                      dpiViolations: DPICheck.violations(ixt: contents.ixtRuns[label] ?? [], ity: contents.ityRuns[label] ?? [],
                                                                         epochs: contents.epochs, pairs: contents.pairs).count)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int ?? 0
        return AnalysisSummary(path: path, formatVersion: Int(contents.formatVersion), experiment: contents.experiment,
                               variant: contents.variant ?? "", runs: contents.analysedRuns, epochCount: contents.epochs.count,
                               firstEpoch: contents.epochs.first, lastEpoch: contents.epochs.last, layers: contents.layers,
                               estimators: estimators, created: text("created"), modified: file.hasAttribute("modified") ? text("modified") : text("created"),
                               sizeBytes: size)
    }
}
