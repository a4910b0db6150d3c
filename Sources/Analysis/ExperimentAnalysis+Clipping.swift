import Information

extension ExperimentAnalysis {
    /// The share of a layer's values a fixed binning range may put into its end bins
    /// before the analysis warns (1%).
    package static let clippingLimit = 0.01

    /// One warning per binning on a fixed range that puts more than ``clippingLimit`` of
    /// some layer's values (over all logged epochs and samples, the largest share over the
    /// runs) beyond its ends, naming the layers and their shares: `range: [-1, 1]` on ReLU
    /// layers piles their large values into the top bin, and I(X;T) then measures the range.
    static func clippingWarnings(_ analyses: [RunAnalysis], specs: [EstimatorSpec]) -> [String] {
        guard let layers = analyses.first?.layerNames else { return [] }
        var warnings: [String] = []
        for spec in specs {
            guard let range = spec.clippingRange else { continue }
            for label in spec.labels {
                let shares = layers.indices.map { l in analyses.compactMap { $0.clipped[label]?[l] }.max() ?? 0 }
                let over = layers.indices.filter { shares[$0] > clippingLimit }
                guard !over.isEmpty else { continue }
                let listed = over.map { "\(layers[$0]) \(percent(shares[$0]))" }.joined(separator: ", ")
                warnings.append("\(label): the range [\(EstimatorSpec.format(range.low)), \(EstimatorSpec.format(range.high))] leaves out more than 1% of the values of \(listed) (largest share over the runs; binned into the end bins); range: auto bins each layer over its own extremes")
            }
        }
        return warnings
    }

    static func percent(_ share: Double) -> String {
        share >= 0.1 ? "\(Int((share * 100).rounded()))%" : String(format: "%.1f%%", share * 100)
    }
}
