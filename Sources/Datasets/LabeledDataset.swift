import Tensor

/// Inputs and integer class labels, one row per sample.
public struct LabeledDataset: Sendable, Equatable {
    /// A short name for reports and run files, e.g. "var_u" or "fashion-mnist-train".
    public var name: String
    /// `[sample, features...]`: `[4096, 12]` for var_u, `[n, 28, 28, 1]` (NHWC) for images.
    public var inputs: Tensor
    /// `[sample]`, each in `0..<classCount`.
    public var labels: [Int32]
    public var classCount: Int

    /// The most classes a data set may have (a label is a unit of the output layer).
    public static let maximumClassCount = 65_536

    /// Validates that there are samples, that labels match them and lie in
    /// `0..<classCount` (at most ``maximumClassCount``), and that every input is finite.
    /// - Parameter classCount: `nil` infers `max(label) + 1`.
    public init(name: String, inputs: Tensor, labels: [Int32], classCount: Int? = nil, file: String) throws(DatasetError) {
        guard inputs.rows == labels.count else {
            throw DatasetError(.inconsistent, file: file, "\(labels.count) labels for \(inputs.rows) samples")
        }
        guard !labels.isEmpty else {
            throw DatasetError(.inconsistent, file: file, "no samples")
        }
        guard inputs.rowSize > 0 else {
            throw DatasetError(.inconsistent, file: file, "samples of shape \(inputs.shape.dropFirst().map { $0 }) hold no values")
        }
        if let bad = inputs.scalars.firstIndex(where: { !$0.isFinite }) {
            let sample = bad / inputs.rowSize
            throw DatasetError(.inconsistent, file: file,
                               "input value \(inputs.scalars[bad]) of sample \(sample) (feature \(bad - sample * inputs.rowSize)) is not finite")
        }
        let maximum = Int(labels.max() ?? 0)
        let classes = classCount ?? (maximum + 1)
        guard classes <= Self.maximumClassCount else {
            throw DatasetError(.inconsistent, file: file,
                               "label \(maximum) would make \(classes) classes; at most \(Self.maximumClassCount) are supported")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= classes }) {
            throw DatasetError(.inconsistent, file: file,
                               "label \(labels[bad]) of sample \(bad) is outside 0..<\(classes)")
        }
        self.name = name
        self.inputs = inputs
        self.labels = labels
        self.classCount = classes
    }

    public var count: Int { labels.count }
    /// The shape of one sample, e.g. `[12]` or `[28, 28, 1]`.
    public var sampleShape: [Int] { Array(inputs.shape.dropFirst()) }

    /// The samples at `indices`, in that order.
    public func subset(_ indices: [Int], name: String? = nil) -> LabeledDataset {
        var copy = self
        copy.name = name ?? self.name
        copy.inputs = inputs.gatherRows(indices)
        copy.labels = indices.map { labels[$0] }
        return copy
    }

    /// Converts label values read as `Double` to class indices, checking they are whole
    /// non-negative numbers.
    static func integerLabels(_ values: [Double], file: String, variable: String) throws(DatasetError) -> [Int32] {
        var labels = [Int32](repeating: 0, count: values.count)
        for (i, value) in values.enumerated() {
            guard value.isFinite, value >= 0, value == value.rounded(), value < Double(Int32.max) else {
                throw DatasetError(.inconsistent, file: file,
                                   "label \(value) of sample \(i) in \"\(variable)\" is not a non-negative integer")
            }
            labels[i] = Int32(value)
        }
        return labels
    }
}
