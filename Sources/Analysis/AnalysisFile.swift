import Diagnostics
import Foundation

/// The analysis of an experiment's runs: `analysis.h5` beside the run files (or wherever
/// `analyze -o` puts it), with `analysis.csv` on request.
///
/// A separate file, so that an analysis never writes into a run file (whose crash safety
/// rests on not changing its metadata), so that repeats are summarised in one place, and
/// so that estimators can be added later without retraining. Layout (version 2):
/// `docs/analysis-file.md`. Every group carries its own coordinates as HDF5 dimension
/// scales in the netCDF-4 convention, so `xarray.open_dataset(path, group=…,
/// engine="h5netcdf")` shows named dimensions `seed`, `epoch`, `layer`.
///
/// An analysis file is *cumulative and named*: each estimator's results sit in
/// `/estimators/<label>`, computed for the runs listed in `/run_path` (relative to the
/// analysis file) with their seeds and content digests. Analysing the same runs again
/// adds new estimators and keeps (never recomputes) the ones present; another set of runs
/// is refused unless the caller replaces the file (``ExperimentAnalysis``).
public enum AnalysisFile {
    public static let format = "infoplane-analysis"
    /// 2: named cumulative estimator groups, run digests, dimension scales. 1: one
    /// `/analysis` group (still read, see ``read(_:)``).
    public static let version: Int32 = 2
}

/// One run file as an analysis records it.
public struct AnalysedRun: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Relative to the analysis file's folder (absolute when on another file system root).
    public var path: String
    public var seed: UInt64
    /// `sha256:<hex>` of the file's bytes (``FileDigest``).
    public var digest: String

    public init(path: String, seed: UInt64, digest: String) {
        self.path = path
        self.seed = seed
        self.digest = digest
    }

    public var description: String { path }
}

/// Why an analysis could not be read or written: the file and what is wrong.
public struct AnalysisError: LabError {
    public var failure: FailureKind { .input }

    public var file: String
    public var reason: String

    public init(file: String, _ reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(reason)" }
}
