import Information
import Recording

extension ExperimentAnalysis {
    /// Refuses k-NN and KSG estimates of runs whose activations are stored as float16,
    /// naming them.
    ///
    /// The Kozachenko–Leonenko estimate lives on nearest-neighbour distances, and rounding
    /// to half precision (11 significant bits) makes samples whose float32 activations
    /// differ in the last bits into duplicate rows, at distance zero (floored at 1e-10 by
    /// ``KNNEntropyEstimator``). The estimate then measures the storage: in issue #35's
    /// check, the same run stored as float32 and as float16 gave ĥ(T) 1.26 bits apart for
    /// quick's hidden5 and 10 bits apart for its output layer. Binning (30–100 bins) and
    /// KDE (σ² ≥ 0.01) do not see the rounding, nor does the matrix-based Rényi entropy (its
    /// kernel width follows the layer's spread), so only k-NN and KSG are refused; `--accept-float16-knn`
    /// computes it anyway.
    static func refuseKNNOnFloat16(_ files: [RunFile], estimators: [EstimatorSpec]) throws {
        let affected = estimators.filter(\.measuresFloat16Rounding).flatMap(\.labels)
        guard !affected.isEmpty, let rounded = files.first(where: { $0.storage == .float16 }) else { return }
        throw AnalysisError(file: rounded.path, "stores its activations as float16, whose rounding makes duplicate rows that nearest-neighbour estimates (\(affected.joined(separator: ", "))) measure instead of the layer (ĥ(T) up to 10 bits off); record with recording.storage: float32 for them, or pass --accept-float16-knn")
    }
}
