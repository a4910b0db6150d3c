import Diagnostics

/// Names and version of the run-file layout; `docs/run-file.md` is its specification.
public enum RunFileFormat {
    /// The root `format` attribute.
    public static let name = "infoplane-run"
    /// The root `format_version` attribute. Bump it, and docs/run-file.md, with every
    /// change of layout.
    /// Version 2 (graphs): every layer group's `inputs` and the root `model_architecture`;
    /// version 1 files are chains and are read as such.
    public static let version: Int32 = 2
    /// Versions this build reads.
    public static let readableVersions: ClosedRange<Int32> = 1...2

    /// The group of layer `index` named `name`, e.g. `/layers/0_hidden1`.
    public static func layerGroup(_ index: Int, _ name: String) -> String { "/layers/\(index)_\(name)" }
    /// The gradient-statistics group of a layer, e.g. `/gradients/0_hidden1`.
    public static func gradientGroup(_ index: Int, _ name: String) -> String { "/gradients/\(index)_\(name)" }

    public static let metricNames = ["train_loss", "train_accuracy", "test_loss", "test_accuracy"]
    public static let gradientNames = ["mean_norm", "std_norm", "snr", "weight_norm"]
}

/// How activations are stored.
public enum ActivationStorage: String, Sendable, Codable, CaseIterable {
    /// IEEE single precision (exact copies of the network's values).
    case float32
    /// IEEE half precision: half the size; relative rounding error ≤ 2⁻¹¹ (about 4.9e-4),
    /// values beyond ±65504 become ±∞. Fine for tanh layers binned at 30–100 bins.
    case float16
}

/// A problem with a run file: which file, and what is wrong.
public struct RunFileError: LabError {
    public var failure: FailureKind { .input }

    public var file: String
    public var reason: String

    public init(file: String, _ reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(reason)" }
}
