import Configuration
import Information

extension AnalysisFile.Contents {
    /// The estimator of an analysis' main figures and summary lines when none is asked
    /// for: the runs' first configured estimator that the analysis holds (so estimators
    /// added later with `analyze --estimator` change neither), otherwise binning (the
    /// estimator of the papers' planes), otherwise the first.
    /// - Parameters:
    ///   - config: the runs' stored configuration (a run file's `config` attribute).
    ///   - file: where it was read from, for its errors (which only make it unconfigured).
    package func mainLabel(configuredIn config: String?, file: String) -> String? {
        let configured = config.flatMap { try? AnalysisConfig.stored($0, file: file) }?.estimators.flatMap(\.labels) ?? []
        return configured.first(where: labels.contains) ?? labels.first(where: { $0.hasPrefix("binning") }) ?? labels.first
    }

    /// The estimator of a label, from the `--estimator` form the file records.
    package func spec(_ label: String) -> EstimatorSpec? {
        guard let argument = arguments[label], !argument.isEmpty else { return nil }
        return (try? AnalysisConfig.estimators(sets: [], short: [argument]))?.first
    }

    /// "Binning, 30 bins on [−1, 1]" rather than `binning_intervals30` (the label itself for
    /// files that do not record their estimators).
    package func displayTitle(_ label: String) -> String { spec(label)?.title(for: label) ?? label }

    /// The title of a panel of I(T;Y) alone (``EstimatorSpec/informationWithLabelsTitle(for:)``).
    package func displayTitleOfITY(_ label: String) -> String { spec(label)?.informationWithLabelsTitle(for: label) ?? label }
}
