import HDF5
import Networks
import Tensor

/// A run file opened for reading (layout: `docs/run-file.md`).
///
/// Opens files that are complete, still being written, or left by a killed run. Only
/// committed rows are shown: those whose commit record (`/epochs`, `metrics/epoch`,
/// `gradients/epochs`) has been written; the others still hold −1 there.
public struct RunFile: Sendable {
    public struct Layer: Sendable, Equatable, Codable {
        public var index: Int
        public var name: String
        public var kind: LayerKind
        public var activation: String
        /// Per-sample output shape, e.g. `[10]` or `[14, 14, 8]`.
        public var outputShape: [Int]
        public var hasWeights: Bool
        /// The layers whose outputs it consumes, by name (`input` for the model's input);
        /// in version-1 files (chains), the layer before.
        public var inputs: [String]
    }

    public let path: String
    let file: H5File
    public let formatVersion: Int32
    public let experiment: String
    public let config: String
    /// The sweep variant that produced this run, as YAML (`model.widths: [8, 6, 4]`);
    /// empty when the experiment is not a sweep (and in files written before the attribute).
    public let sweep: String
    /// For a model imported from another framework's file (`record`, `train --from`):
    /// that file, its format and SHA-256 (the `model_source*` attributes).
    public let source: ModelSource?
    public let seed: UInt64
    public let status: RunStatus
    /// The 0-based epoch whose updates made the training loss non-finite, when the run
    /// diverged.
    public let divergedEpoch: Int?
    public let totalEpochs: Int
    public let timing: LogTiming
    public let storage: ActivationStorage
    public let layers: [Layer]
    /// The committed logged epochs, ascending.
    public let loggedEpochs: [Int]
    /// The number of epochs whose metrics are committed (the run's progress).
    public let completedEpochs: Int
    /// How the finished file was compacted (`shuffle+deflate(4)`), nil when contiguous
    /// (``RunCompaction``).
    public let compaction: String?
    /// Whether the file was compacted.
    public var compacted: Bool { compaction != nil }

    /// Opens and validates a run file.
    public static func open(_ path: String) throws -> RunFile {
        try RunFile(path: path, file: try H5File.open(path, mode: .readOnly))
    }

    /// The committed prefix of a commit record (entries before the first −1).
    static func committed(_ dataset: H5Dataset) throws -> [Int] {
        try dataset.read(as: Int64.self).prefix { $0 >= 0 }.map { Int($0) }
    }

    /// Checks the root `format` and `format_version` attributes.
    static func checkFormat(_ file: H5File) throws {
        guard file.hasAttribute("format"), try file.stringAttribute("format") == RunFileFormat.name else {
            throw RunFileError(file: file.filePath, "not an infoplane run file (no format = \"\(RunFileFormat.name)\" attribute)")
        }
        let version = try file.attribute("format_version", as: Int32.self)
        guard RunFileFormat.readableVersions.contains(version) else {
            throw RunFileError(file: file.filePath,
                               "run-file format version \(version) is not supported by this infoplane (it reads version\(RunFileFormat.readableVersions.count > 1 ? "s" : "") \(RunFileFormat.readableVersions.lowerBound)–\(RunFileFormat.readableVersions.upperBound))")
        }
    }

    private init(path: String, file: H5File) throws {
        try RunFile.checkFormat(file)
        self.path = path
        self.file = file
        formatVersion = try file.attribute("format_version", as: Int32.self)
        experiment = try file.stringAttribute("experiment")
        config = try file.stringAttribute("config")
        sweep = file.hasAttribute("sweep") ? try file.stringAttribute("sweep") : ""
        source = file.hasAttribute("model_source")
            ? ModelSource(path: try file.stringAttribute("model_source"), format: try file.stringAttribute("model_source_format"),
                          sha256: try file.stringAttribute("model_source_sha256"))
            : nil
        seed = UInt64(bitPattern: try file.attribute("seed", as: Int64.self))
        totalEpochs = Int(try file.attribute("total_epochs", as: Int64.self))
        let committedMetrics = try RunFile.committed(file.dataset("metrics/epoch")).count
        completedEpochs = max(0, committedMetrics - 1)
        divergedEpoch = try RunFile.firstDivergedEpoch(file, committedRows: committedMetrics)
        status = divergedEpoch != nil ? .diverged : committedMetrics > totalEpochs ? .complete : .incomplete
        timing = LogTiming(rawValue: try file.stringAttribute("log_timing")) ?? .before
        storage = ActivationStorage(rawValue: try file.stringAttribute("activation_storage")) ?? .float32
        let groups = try file.group("layers")
        var layers: [Layer] = []
        for name in try groups.childNames() {
            let group = try groups.group(name)
            let index = Int(try group.attribute("index", as: Int32.self))
            let kindName = try group.stringAttribute("kind")
            guard let kind = LayerKind(rawValue: kindName) else {
                throw RunFileError(file: path, "layer group \(name): unknown kind \"\(kindName)\"")
            }
            layers.append(Layer(index: index, name: try group.stringAttribute("name"), kind: kind,
                                activation: try group.stringAttribute("activation"),
                                outputShape: try group.arrayAttribute("output_shape", as: Int64.self).map { Int($0) },
                                hasWeights: group.isDataset("weights"),
                                inputs: group.hasAttribute("inputs") ? try group.stringAttribute("inputs").split(separator: ",").map(String.init) : []))
        }
        layers.sort { $0.index < $1.index }
        // Version 1 holds chains: each layer consumes the one before.
        for index in layers.indices where layers[index].inputs.isEmpty {
            layers[index].inputs = [index == 0 ? ModelDescription.modelInput : layers[index - 1].name]
        }
        self.layers = layers
        loggedEpochs = try RunFile.committed(file.dataset("epochs"))
        compaction = file.hasAttribute(RunCompaction.attribute) ? try file.stringAttribute(RunCompaction.attribute) : nil
        try validate()
    }

    /// Checks what later reads rely on, so that a damaged or edited file is an error
    /// naming what is wrong rather than a crash: the epoch counts, the layer indices,
    /// each layer's `output_shape` against its activations `[logged epoch, sample, unit...]`,
    /// and the commit record against the scheduled rows.
    private func validate() throws {
        guard totalEpochs >= 0, totalEpochs <= 100_000_000 else {
            throw RunFileError(file: path, "total_epochs \(totalEpochs) is not a number of epochs")
        }
        guard layers.map(\.index) == Array(layers.indices) else {
            throw RunFileError(file: path, "layer indices \(layers.map(\.index)) are not 0…\(layers.count - 1)")
        }
        var earlier: Set<String> = [ModelDescription.modelInput]
        for layer in layers {
            guard !layer.inputs.isEmpty, layer.inputs.allSatisfy(earlier.contains) else {
                throw RunFileError(file: path, "layer \(layer.name): inputs \(layer.inputs) are not earlier layers")
            }
            earlier.insert(layer.name)
        }
        let samples = try sampleCount()
        let epochRows = try file.dataset("epochs").shape().first ?? 0
        guard loggedEpochs.count <= epochRows, zip(loggedEpochs, loggedEpochs.dropFirst()).allSatisfy({ $0 < $1 }),
              loggedEpochs.allSatisfy({ $0 <= totalEpochs }) else {
            throw RunFileError(file: path, "the commit record /epochs is not an ascending list of epochs within the run")
        }
        for layer in layers {
            guard !layer.outputShape.isEmpty, layer.outputShape.allSatisfy({ $0 >= 1 && $0 <= 1 << 28 }),
                  let units = layer.outputShape.reduce(Int?(1), { product, d in product.flatMap { p in p.multipliedReportingOverflow(by: d).overflow ? nil : p * d } }),
                  units <= 1 << 30 else {
                throw RunFileError(file: path, "layer \(layer.name): output_shape \(layer.outputShape) is not a shape")
            }
            let activations = try file.dataset(RunFileFormat.layerGroup(layer.index, layer.name) + "/activations").shape()
            guard activations == [epochRows, samples] + layer.outputShape else {
                throw RunFileError(file: path, "layer \(layer.name): activations of shape \(activations) do not match \(epochRows) logged epochs × \(samples) samples × output_shape \(layer.outputShape)")
            }
        }
    }

    /// The number of recorded samples.
    public func sampleCount() throws -> Int { try file.dataset("dataset/y").shape()[0] }

    /// The recorded samples' labels, `[sample]`, each checked to lie in
    /// `0..<class_count`.
    public func labels() throws -> [Int32] {
        let labels = try file.dataset("dataset/y").read(as: Int32.self)
        let classes = try classCount()
        if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= classes }) {
            throw RunFileError(file: path, "label \(labels[bad]) of recorded sample \(bad) is outside 0..<\(classes) (dataset/y)")
        }
        return labels
    }

    /// The data set's name (`/dataset@name`, e.g. `fashion-mnist`); empty when absent.
    public func datasetName() -> String {
        (try? file.group("dataset").stringAttribute("name")) ?? ""
    }

    /// The number of classes (`/dataset@class_count`), checked to be a plausible count.
    public func classCount() throws -> Int {
        let count = Int(try file.group("dataset").attribute("class_count", as: Int32.self))
        guard count >= 1, count <= 65_536 else {
            throw RunFileError(file: path, "class_count \(count) is not a number of classes (/dataset)")
        }
        return count
    }

    /// Activations of `layer` at the `position`-th logged epoch, `[sample, unit...]`.
    public func activations(layer: Int, loggedIndex position: Int) throws -> Tensor {
        guard position >= 0, position < loggedEpochs.count else {
            throw RunFileError(file: path, "logged epoch index \(position) outside 0..<\(loggedEpochs.count)")
        }
        let info = layers[layer]
        let dataset = try file.dataset(RunFileFormat.layerGroup(info.index, info.name) + "/activations")
        // Half precision is read raw and widened here: HDF5's own (soft) conversion of a
        // custom float type costs about 50 ns a value, 20× the rest of an analysis. A
        // compacted row is inflated here too, outside HDF5's lock (``RunCompaction/storedRow(_:_:as:)``).
        let values = storage == .float16
            ? HalfPrecision.widen(try RunCompaction.storedRow(dataset, position, as: Float16.self) ?? dataset.readRow(position, as: Float16.self))
            : try RunCompaction.storedRow(dataset, position, as: Float.self) ?? dataset.readRow(position, as: Float.self)
        return Tensor(shape: [values.count / max(info.outputShape.reduce(1, *), 1)] + info.outputShape, scalars: values)
    }

    /// Loss and accuracy per completed-epoch count (`metrics/epoch`).
    public func metrics() throws -> (epochs: [Int], values: [String: [Double]]) {
        let epochs = try RunFile.committed(file.dataset("metrics/epoch"))
        var values: [String: [Double]] = [:]
        for name in RunFileFormat.metricNames {
            values[name] = Array(try file.dataset("metrics/\(name)").read(as: Double.self).prefix(epochs.count))
        }
        return (epochs, values)
    }

    /// Gradient statistics per layer with weights: epochs and the four series.
    public func gradientStatistics() throws -> (epochs: [Int], layers: [String: [String: [Double]]]) {
        let epochs = try RunFile.committed(file.dataset("gradients/epochs"))
        var result: [String: [String: [Double]]] = [:]
        for layer in layers {
            let groupPath = RunFileFormat.gradientGroup(layer.index, layer.name)
            guard file.isGroup(groupPath) else { continue }
            var series: [String: [Double]] = [:]
            for name in RunFileFormat.gradientNames {
                series[name] = Array(try file.dataset(groupPath + "/" + name).read(as: Double.self).prefix(epochs.count))
            }
            result[layer.name] = series
        }
        return (epochs, result)
    }

    /// The file's size on disk in bytes.
    public func sizeOnDisk() throws -> Int { try file.size() }

    /// Bytes the activations of all layers take per logged epoch.
    public func activationBytesPerLoggedEpoch() throws -> Double {
        var total = 0.0
        for layer in layers {
            let dataset = try file.dataset(RunFileFormat.layerGroup(layer.index, layer.name) + "/activations")
            let rows = try dataset.shape()[0]
            if rows > 0 { total += Double(dataset.storageSize()) / Double(rows) }
        }
        return total
    }
}
