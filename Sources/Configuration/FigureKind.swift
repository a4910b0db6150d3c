/// The figures `infoplane plot` draws from an analysed folder (`analysis.plots`, `--only`).
package enum FigureKind: String, Sendable, CaseIterable, Equatable {
    case informationPlane = "information_plane"
    case estimatorComparison = "estimator_comparison"
    case snapshots
    case gradientSNR = "gradient_snr"
    case trainingCurves = "training_curves"
    case informationVsEpoch = "information_vs_epoch"
    case dpiViolations = "dpi_violations"

    /// The kinds named in a comma-separated list; an unknown name is an error naming the
    /// known ones.
    package static func parse(list: String) throws(ConfigError) -> [FigureKind] {
        var kinds: [FigureKind] = []
        for name in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let kind = FigureKind(rawValue: name) else {
                throw ConfigError(file: "--only", keyPath: "", "unknown figure \(name) (known: \(allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            kinds.append(kind)
        }
        return kinds
    }
}
