import Datasets
import Foundation
import Information
import ModelImport
import Networks
import Recording

/// One experiment: what to train, how, what to record and analyse. Read from YAML by
/// ``ExperimentLoader``; every field documents its key.
package struct ExperimentConfig: Sendable {
    /// `name`: the experiment's name; results go to `results/<name>/`.
    package var name: String
    /// `description`: free text.
    package var description: String
    /// `seed`: the first repeat's seed; repeat r uses `seed + r`.
    package var seed: UInt64
    /// `repeats`: independent networks (different seeds) trained with this setting.
    package var repeats: Int
    package var data: DataConfig
    package var model: ModelConfig
    package var training: TrainingConfig
    package var recording: RecordingConfig
    package var analysis: AnalysisConfig
    /// The explanation report `infoplane run` writes, when configured.
    package var explain: ExplainConfig?

    package static let keys = ["name", "description", "seed", "repeats", "data", "model", "training", "recording", "analysis", "explain", "sweep"]

    package init(_ reader: ConfigReader) throws(ConfigError) {
        let entries = try reader.mapping(allowed: Self.keys)
        name = try entries.required("name", in: reader).string()
        guard PathComponent.isSafe(name) && !name.contains("=") && !name.contains(",") else {
            throw (entries["name"] ?? reader).error("start with a letter or digit and use letters, digits, '.', '_' and '-' only (it names a folder)")
        }
        description = try entries["description"]?.string() ?? ""
        seed = UInt64(try entries["seed"]?.int(in: 0...Int(Int32.max)) ?? 1)
        repeats = try entries["repeats"]?.int(in: 1...10_000) ?? 1
        data = try DataConfig(entries.required("data", in: reader))
        model = try ModelConfig(entries.required("model", in: reader))
        training = try TrainingConfig(entries.required("training", in: reader))
        recording = try entries["recording"].map { (r) throws(ConfigError) in try RecordingConfig(r) } ?? RecordingConfig()
        analysis = try entries["analysis"].map { (r) throws(ConfigError) in try AnalysisConfig(r) } ?? AnalysisConfig()
        explain = try entries["explain"].map { (r) throws(ConfigError) in try ExplainConfig(r) }
        if recording.storage == .float16, analysis.estimators.contains(where: \.measuresFloat16Rounding) {
            throw ConfigError(file: reader.file, keyPath: "recording.storage",
                              "k-NN estimates of float16 activations measure the rounding (duplicate rows; docs/estimators.md); store float32 for analysis.estimators' knn")
        }
        if training.epochs == 0 && recording.timing == .after {
            throw ConfigError(file: reader.file, keyPath: "recording.timing",
                              "a run of 0 epochs has only its initial state, which timing `after` never logs; use `before`")
        }
    }
}

/// `data`: where the samples come from and how they are split.
package struct DataConfig: Sendable {
    package enum Source: String, Sendable, CaseIterable {
        /// A MATLAB file (var_u.mat and its family): `path`, `inputs` (default F), `labels` (default y).
        case mat
        /// An IDX pair (MNIST format, optionally gzipped): `images`, `labels`.
        case idx
        /// Fashion-MNIST (or MNIST) from a folder of the four standard IDX files; train and
        /// test are the files' own; `folder` defaults to Debian's install location.
        case fashionMNIST = "fashion_mnist"
        /// An HDF5 file with an inputs and a labels dataset: `path`, `inputs` (default x), `labels` (default y).
        case hdf5
        /// A numpy `.npz` archive (`numpy.savez`): `path`, `inputs` (default x), `labels` (default y).
        case npz
        /// Two numpy `.npy` files: `inputs` and `labels` are their paths.
        case npy
    }

    package enum SplitKind: String, Sendable, CaseIterable { case shuffled, stratified, file }

    package var source: Source
    package var path: String?
    package var inputs: String?
    package var labels: String?
    package var images: String?
    package var folder: String
    /// `train_fraction`: share of the samples for training (not for fashion_mnist).
    package var trainFraction: Double
    package var split: SplitKind
    package var splitFile: String?
    /// `split_seed`: the split's seed (default: the experiment seed, the same for all repeats).
    package var splitSeed: UInt64?
    /// `train_samples`, `test_samples`: use only the first n of each (fashion_mnist), for quick runs.
    package var trainSamples: Int?
    package var testSamples: Int?
    /// `layout`: the axis order of 4-D numpy or HDF5 inputs, `nchw` (PyTorch) or `nhwc` (Keras);
    /// default: the one that fits the model's input (an imported model's own when both do).
    package var layout: ImageLayout?
    /// `classes`: the number of classes when the labels need not show them all (an
    /// imported model's outputs); default: the largest label + 1.
    package var classes: Int?

    package static let keys = ["source", "path", "inputs", "labels", "images", "folder", "train_fraction", "split", "split_file",
                       "split_seed", "train_samples", "test_samples", "layout", "classes"]

    package init(_ reader: ConfigReader) throws(ConfigError) {
        let e = try reader.mapping(allowed: Self.keys)
        source = try e.required("source", in: reader).choice(Source.self)
        path = try e["path"]?.string()
        inputs = try e["inputs"]?.string()
        labels = try e["labels"]?.string()
        images = try e["images"]?.string()
        folder = try e["folder"]?.string() ?? "/usr/share/datasets/fashion-mnist"
        trainFraction = try e["train_fraction"]?.double(in: 0.0...1.0) ?? 0.8
        split = try e["split"]?.choice(SplitKind.self) ?? .shuffled
        splitFile = try e["split_file"]?.string()
        splitSeed = try e["split_seed"].map { (r) throws(ConfigError) in UInt64(try r.int(in: 0...Int(Int32.max))) }
        trainSamples = try e["train_samples"]?.int(in: 1...10_000_000)
        testSamples = try e["test_samples"]?.int(in: 0...10_000_000)
        layout = try e["layout"]?.choice(ImageLayout.self)
        classes = try e["classes"]?.int(in: 1...LabeledDataset.maximumClassCount)
        switch source {
        case .npy:
            guard inputs != nil, labels != nil else { throw reader.error("source npy needs `inputs` and `labels` (the two .npy files)") }
        case .mat, .hdf5, .npz:
            guard path != nil else { throw ConfigError(file: reader.file, line: reader.node.mark?.line, column: reader.node.mark?.column, keyPath: reader.path + ".path", "missing required key (the \(source.rawValue) file)") }
        case .idx:
            guard images != nil, labels != nil else { throw reader.error("source idx needs `images` and `labels` (the two IDX files)") }
        case .fashionMNIST:
            break
        }
        if split == .file && splitFile == nil { throw reader.error("split: file needs `split_file`") }
    }
}

/// `model`: the architecture. Either `widths` (a fully connected network) or `layers`
/// (any stack, e.g. a CNN); the output layer (dense, linear, one unit per class) is
/// added automatically.
package struct ModelConfig: Sendable {
    /// `widths`: hidden layer widths of an MLP, e.g. [10, 7, 5, 4, 3].
    package var widths: [Int]?
    /// `layers`: a list of `{dense: {units, activation}}`, `{conv2d: {filters, kernel,
    /// stride, padding, activation}}`, `{maxpool2d: {size, stride}}`, `{avgpool2d: …}`, `flatten`.
    package var layers: [ModelDescription.Entry]?
    /// `activation`: of the hidden layers of `widths` (and the default of `layers`).
    package var activation: Activation
    /// `initializer`: truncated_normal_fan_in (IDNNs), truncated_normal_fan_out (ibsgd),
    /// glorot_uniform, he_normal, zeros.
    package var initializer: Initializer
    /// `output_initializer`: the output layer's, when it differs (ibsgd, which Saxe et al.
    /// ran, builds its softmax layer with glorot_uniform); default: `initializer`.
    package var outputInitializer: Initializer?
    /// `from`: an ONNX, Keras (`.keras`) or Keras HDF5 file whose architecture and weights the model takes
    /// (`train --from`, `record`). Loading the configuration writes the architecture out
    /// (`layers`, `input_shape`, `input_layout`) with the file's format and SHA-256
    /// (`from_format`, `from_sha256`), so a run file's stored configuration describes the
    /// model without the file; the weights are read from the file when a run starts.
    package var from: String?
    package var fromFormat: ImportedModel.Format?
    package var fromSHA256: String?
    /// `input_shape`: one sample's shape the model expects (`[28, 28, 1]`), checked
    /// against the data.
    package var inputShape: [Int]?
    /// `input_layout`: the axis order an imported model's image input has in its own
    /// framework (`nchw` for PyTorch).
    package var inputLayout: ImageLayout?
    /// `arithmetic`: how dense layers compute their products, `blas` (OpenBLAS) or `fused`
    /// (infoplane's kernels for layers up to 64 units, the same bits on every machine,
    /// about 2× faster per epoch for the studies' narrow networks). Configuration files
    /// get `fused` when they name none (`ExperimentLoader.load` writes it in); absent here,
    /// in a stored configuration, it means `blas`. A run keeps it: resuming or extending
    /// with another is a change of the run.
    package var arithmetic: Arithmetic

    package static let keys = ["widths", "layers", "activation", "initializer", "output_initializer",
                               "from", "from_format", "from_sha256", "input_shape", "input_layout", "arithmetic"]
    package static let initializers: [String: Initializer] = [
        "truncated_normal_fan_in": .truncatedNormalFanIn, "truncated_normal_fan_out": .truncatedNormalFanOut,
        "glorot_uniform": .glorotUniform, "he_normal": .heNormal, "zeros": .zeros,
    ]

    package init(_ reader: ConfigReader) throws(ConfigError) {
        let e = try reader.mapping(allowed: Self.keys)
        activation = try e["activation"]?.choice(Activation.self) ?? .tanh
        initializer = Self.initializers[try e["initializer"]?.choice(Self.initializers.keys.sorted()) ?? "glorot_uniform"]!
        outputInitializer = try e["output_initializer"].map { (r) throws(ConfigError) in Self.initializers[try r.choice(Self.initializers.keys.sorted())]! }
        widths = try e["widths"]?.ints(in: 1...1_000_000)
        if let list = e["layers"] {
            var specs: [ModelDescription.Entry] = []
            for item in try list.sequence() { specs.append(try Self.layer(item, defaultActivation: activation)) }
            layers = specs
        }
        from = try e["from"]?.string()
        fromFormat = try e["from_format"]?.choice(ImportedModel.Format.self)
        fromSHA256 = try e["from_sha256"]?.string()
        inputShape = try e["input_shape"]?.ints(in: 1...1 << 24)
        inputLayout = try e["input_layout"]?.choice(ImageLayout.self)
        arithmetic = try e["arithmetic"]?.choice(Arithmetic.self) ?? .blas
        if from != nil, widths != nil {
            throw reader.error("`from` gives the architecture; remove `widths`")
        }
        guard (widths == nil) != (layers == nil) else {
            throw reader.error("give either `widths` (an MLP) or `layers`, not \(widths == nil ? "neither" : "both")")
        }
        // Each layer is a group of datasets in the run file and a pass of the trainer.
        if let count = widths?.count ?? layers?.count, count > Self.maximumDepth {
            throw (e["widths"] ?? e["layers"] ?? reader).error("\(count) layers; at most \(Self.maximumDepth) are supported")
        }
    }

    /// The most layers a model may have.
    package static let maximumDepth = 256

    /// One item of `layers`: a layer kind with its hyperparameters (`{dense: {units: 64}}`,
    /// `flatten`), and for graphs its `name` and `inputs` (the node before when left out).
    /// Merges name their inputs as their value: `{add: [dense1, dense3]}`, `{concat: [a, b]}`.
    package static func layer(_ item: ConfigReader, defaultActivation: Activation) throws(ConfigError) -> ModelDescription.Entry {
        let kinds = LayerKind.allCases.filter(\.isBuildable).map(\.rawValue)
        if let text = item.scalarText {
            guard text == LayerKind.flatten.rawValue else {
                throw item.error("\"\(text)\" is not a layer (flatten, a mapping like {dense: {units: 64}}, or a merge naming its inputs like {add: [dense1, dense3]})")
            }
            return ModelDescription.Entry(.flatten)
        }
        // The kinds are Networks' `LayerKind`: one list, and the switch below names each.
        let fields = try item.mapping(allowed: kinds + ["name", "inputs"])
        let given = fields.filter { kinds.contains($0.key) }
        guard given.count == 1, let (kindName, body) = given.first, let kind = LayerKind(rawValue: kindName) else {
            throw item.error(given.isEmpty ? "no layer kind (\(kinds.joined(separator: ", ")))" : "one layer per list item, got \(given.keys.sorted().joined(separator: " and "))")
        }
        let name = try fields["name"].map { (r) throws(ConfigError) in try nodeName(r) }
        var inputs = try fields["inputs"].map { (r) throws(ConfigError) in
            r.scalarText != nil ? [try nodeName(r, input: true)] : try r.sequence().map { (i) throws(ConfigError) in try nodeName(i, input: true) }
        }
        func activation(_ e: [String: ConfigReader]) throws(ConfigError) -> Activation {
            try e["activation"]?.choice(Activation.self) ?? defaultActivation
        }
        let spec: LayerSpec
        switch kind {
        case .dense:
            let e = try body.mapping(allowed: LayerSpec.keys(of: kind))
            spec = .dense(units: try e.required("units", in: body).int(in: 1...1_000_000), activation: try activation(e))
        case .conv2d:
            let e = try body.mapping(allowed: LayerSpec.keys(of: kind))
            let kernelNode = try e.required("kernel", in: body)
            let kernel = kernelNode.scalarText != nil ? [try kernelNode.int(in: 1...64)] : try kernelNode.ints(in: 1...64)
            guard kernel.count == 1 || kernel.count == 2 else { throw kernelNode.error("a size or [height, width]") }
            spec = .conv2d(filters: try e.required("filters", in: body).int(in: 1...100_000),
                           kernel: kernel.count == 1 ? [kernel[0], kernel[0]] : kernel,
                           stride: try e["stride"]?.int(in: 1...64) ?? 1, padding: try e["padding"]?.int(in: 0...64) ?? 0,
                           activation: try activation(e))
        case .maxpool2d, .avgpool2d:
            let e = try body.mapping(allowed: LayerSpec.keys(of: kind))
            let size = try e["size"]?.int(in: 1...64) ?? 2
            let stride = try e["stride"]?.int(in: 1...64) ?? size
            spec = kind == .maxpool2d ? .maxpool2d(size: size, stride: stride) : .avgpool2d(size: size, stride: stride)
        case .activation:
            spec = .activation(try body.choice(Activation.self))
        case .module:
            throw item.error("\"module\" names a layer recorded from another framework; the lab cannot build one")
        case .flatten:
            spec = .flatten
        case .add, .concat:
            guard inputs == nil else { throw fields["inputs"]!.error("\(kind.rawValue) names its inputs as its value: {\(kind.rawValue): [a, b]}") }
            let merged = try body.sequence().map { (i) throws(ConfigError) in try nodeName(i, input: true) }
            guard merged.count >= 2 else { throw body.error("\(kind.rawValue) merges two or more inputs, got \(merged.count)") }
            inputs = merged
            spec = kind == .add ? .add : .concat
        }
        if let inputs, !kind.isMerge, inputs.count != 1 {
            throw fields["inputs"]!.error("a \(kind.rawValue) layer takes one input, got \(inputs.count)")
        }
        return ModelDescription.Entry(spec, name: name, inputs: inputs)
    }

    /// A node's name: a letter first, then letters, digits and underscores, at most 64
    /// (it names the layer's group in run files and its figures' labels); `input` names
    /// the model's input and is allowed only among a node's inputs.
    private static func nodeName(_ reader: ConfigReader, input: Bool = false) throws(ConfigError) -> String {
        let text = try reader.string()
        func letter(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
        guard let first = text.unicodeScalars.first, letter(first), text.unicodeScalars.count <= 64,
              text.unicodeScalars.allSatisfy({ letter($0) || ("0"..."9").contains($0) || $0 == "_" }) else {
            throw reader.error("\"\(text)\" is not a node name (a letter first, then letters, digits or _, at most 64)")
        }
        if !input && text == ModelDescription.modelInput { throw reader.error("\"input\" names the model's input; choose another name") }
        return text
    }
}

/// `training`: epochs, batches and the optimizer.
package struct TrainingConfig: Sendable {
    package var epochs: Int
    /// `batch_size`: samples per minibatch, or `full` for full-batch training.
    package var batchSize: Int?
    /// `batching`: shuffled (reshuffled every epoch) or fixed_contiguous (the 2017 code's replay mode).
    package var batching: Batching
    package var optimizer: OptimizerConfig

    package static let keys = ["epochs", "batch_size", "batching", "optimizer"]

    /// `batching`'s spelling in a configuration.
    package enum BatchingName: String, CaseIterable { case shuffled, fixedContiguous = "fixed_contiguous" }

    package init(_ reader: ConfigReader) throws(ConfigError) {
        let e = try reader.mapping(allowed: Self.keys)
        // 0: the model is recorded as it is, untrained (`infoplane record` of an imported model).
        epochs = try e.required("epochs", in: reader).int(in: 0...10_000_000)
        if let batch = e["batch_size"] {
            batchSize = batch.scalarText == "full" ? nil : try batch.int(in: 1...100_000_000)
        } else {
            batchSize = nil
        }
        switch try e["batching"]?.choice(BatchingName.self) ?? .shuffled {
        case .shuffled: batching = .shuffled
        case .fixedContiguous: batching = .fixedContiguous
        }
        optimizer = try OptimizerConfig(e.required("optimizer", in: reader))
    }
}

/// `training.optimizer`: `kind` adam or sgd, and its parameters.
package struct OptimizerConfig: Sendable {
    package enum Kind: String, Sendable, CaseIterable { case adam, sgd }

    package var kind: Kind
    package var learningRate: Double
    package var beta1: Double
    package var beta2: Double
    /// Adam's ε: 1e-8 as TensorFlow 1 (the 2017 code); Keras 2 used 1e-7.
    package var epsilon: Double
    package var momentum: Double
    package var weightDecay: Double

    package init(_ reader: ConfigReader) throws(ConfigError) {
        let e = try reader.mapping(allowed: ["kind", "learning_rate", "beta1", "beta2", "epsilon", "momentum", "weight_decay"])
        kind = try e.required("kind", in: reader).choice(Kind.self)
        learningRate = try e.required("learning_rate", in: reader).double(in: 1e-12...100)
        beta1 = try e["beta1"]?.double(in: 0...0.999_999) ?? 0.9
        beta2 = try e["beta2"]?.double(in: 0...0.999_999_999) ?? 0.999
        epsilon = try e["epsilon"]?.double(in: 0...1) ?? 1e-8
        momentum = try e["momentum"]?.double(in: 0...0.999_999) ?? 0
        weightDecay = try e["weight_decay"]?.double(in: 0...1) ?? 0
        if kind == .sgd, e["beta1"] != nil || e["beta2"] != nil || e["epsilon"] != nil {
            throw reader.error("beta1, beta2 and epsilon are Adam's; sgd takes learning_rate, momentum, weight_decay")
        }
        if kind == .adam, let momentum = e["momentum"] {
            throw momentum.error("momentum is SGD's; Adam's are beta1 and beta2")
        }
    }

    package func make() -> any Optimizer {
        kind == .adam
            ? Adam(learningRate: Float(learningRate), beta1: Float(beta1), beta2: Float(beta2), epsilon: Float(epsilon), weightDecay: Float(weightDecay))
            : SGD(learningRate: Float(learningRate), momentum: Float(momentum), weightDecay: Float(weightDecay))
    }
}

/// `recording`: what the run file keeps.
package struct RecordingConfig: Sendable {
    package enum Samples: Sendable, Equatable { case all, train, test, subset(Int) }

    /// `schedule`: every_epoch, ibsgd, {log_spaced: count} (the 2017 code), {every: n}, or {explicit: [..]}.
    package var schedule: LoggingSchedule
    package var timing: LogTiming
    /// `samples`: all, train, test, or {subset: n} (a seeded subset; the default for more than 10000 samples, n = 1000).
    package var samples: Samples?
    package var storage: ActivationStorage
    package var weights: Bool
    package var checkpointInterval: Int
    /// `compact`: compact the finished run file (chunked, shuffle + deflate; default
    /// true), or keep it contiguous.
    package var compact: Bool

    package init() {
        schedule = .everyEpoch
        timing = .before
        samples = nil
        storage = .float32
        weights = true
        checkpointInterval = 100
        compact = true
    }

    /// The schedules and sample sets a configuration names by a word.
    package enum NamedSchedule: String, CaseIterable { case everyEpoch = "every_epoch", ibsgd }
    package enum NamedSamples: String, CaseIterable { case all, train, test }

    package init(_ reader: ConfigReader) throws(ConfigError) {
        self.init()
        let e = try reader.mapping(allowed: ["schedule", "timing", "samples", "storage", "weights", "checkpoint_interval", "compact"])
        if let s = e["schedule"] {
            if s.scalarText != nil {
                switch try s.choice(NamedSchedule.self) {
                case .ibsgd: schedule = .ibsgd
                case .everyEpoch: schedule = .everyEpoch
                }
            } else {
                let m = try s.mapping(allowed: ["log_spaced", "every", "explicit"])
                guard m.count == 1 else { throw s.error("one of log_spaced, every, explicit") }
                if let count = m["log_spaced"] { schedule = .logSpaced(count: try count.int(in: 2...10_000_000)) }
                if let every = m["every"] { schedule = .every(try every.int(in: 1...10_000_000)) }
                if let list = m["explicit"] { schedule = .explicit(try list.ints(in: 0...100_000_000)) }
            }
        }
        timing = try e["timing"]?.choice(LogTiming.self) ?? .before
        if let s = e["samples"] {
            if s.scalarText != nil {
                switch try s.choice(NamedSamples.self) {
                case .train: samples = .train
                case .test: samples = .test
                case .all: samples = .all
                }
            } else {
                samples = .subset(try s.mapping(allowed: ["subset"]).required("subset", in: s).int(in: 1...100_000_000))
            }
        }
        storage = try e["storage"]?.choice(ActivationStorage.self) ?? .float32
        weights = try e["weights"]?.bool() ?? true
        checkpointInterval = try e["checkpoint_interval"]?.int(in: 1...10_000_000) ?? 100
        compact = try e["compact"]?.bool() ?? true
    }
}

/// `analysis`: the estimators and figures `infoplane analyze` and `infoplane plot`
/// produce from the run files. Validated here and stored with the run.
package struct AnalysisConfig: Sendable {
    /// The estimators, typed when parsed (``EstimatorSpec``): nothing is re-read later.
    package var estimators: [EstimatorSpec] = []
    package var plots: [FigureKind] = []

    /// The estimators a configuration names (`kind`), and the parameters each takes: the
    /// one table the parser checks keys against and switches over.
    package enum EstimatorKind: String, CaseIterable {
        case binning, adaptive, kde, knn, ksg, renyi

        package var parameters: [String] {
            switch self {
            case .binning: ["bins", "edges", "width", "range", "convention"]
            case .adaptive: ["bins"]
            case .kde: ["noise_variance", "bound"]
            case .knn, .ksg: ["k"]
            case .renyi: ["alpha", "gamma", "samples"]
            }
        }
    }
    package enum BinConvention: String, CaseIterable { case intervals, edges }
    package enum KDEBound: String, CaseIterable { case upper, lower, both }
    package enum NamedRange: String, CaseIterable { case layer, global, auto }

    package init() {}

    package init(_ reader: ConfigReader) throws(ConfigError) {
        let e = try reader.mapping(allowed: ["estimators", "plots"])
        for item in try e["estimators"]?.sequence() ?? [] {
            estimators.append(try Self.estimator(item))
        }
        for item in try e["plots"]?.sequence() ?? [] {
            plots.append(try item.choice(FigureKind.self))
        }
    }

    /// One `{kind: …, …}` item as the estimator it configures; errors point at the key.
    package static func estimator(_ item: ConfigReader) throws(ConfigError) -> EstimatorSpec {
        let fields = try item.mapping(allowed: ["kind"] + Array(Set(EstimatorKind.allCases.flatMap(\.parameters))).sorted())
        let kind = try fields.required("kind", in: item).choice(EstimatorKind.self)
        let allowed = kind.parameters
        for (key, value) in fields where key != "kind" && !allowed.contains(key) {
            throw value.error("not a parameter of the \(kind) estimator (it takes \(allowed.joined(separator: ", ")))")
        }
        switch kind {
        case .binning:
            let binning: BinnedEstimator.Binning
            if let width = fields["width"] {
                binning = .width(try width.double(in: 1e-12...1e12))
            } else if let edges = fields["edges"] {
                binning = .edges(try edges.int(in: 2...100_000))
            } else if let bins = fields["bins"] {
                switch try fields["convention"]?.choice(BinConvention.self) ?? .intervals {
                case .edges: binning = .edges(try bins.int(in: 2...100_000))
                case .intervals: binning = .intervals(try bins.int(in: 1...100_000))
                }
            } else {
                throw item.error("binning needs bins, edges or width")
            }
            let range: EstimatorSpec.RangeSpec
            if let value = fields["range"] {
                if value.scalarText != nil {
                    switch try value.choice(NamedRange.self) {
                    case .layer: range = .layer
                    case .global: range = .global
                    case .auto: range = .auto
                    }
                } else {
                    let bounds = try value.doubles(in: -1e12...1e12)
                    guard bounds.count == 2, bounds[0] < bounds[1] else { throw value.error("a range is [low, high] with low < high") }
                    range = .fixed(bounds[0], bounds[1])
                }
            } else {
                range = .fixed(-1, 1)
            }
            return .binning(binning, range)
        case .kde:
            let variance = try fields.required("noise_variance", in: item).double(in: 1e-12...1e12)
            let bound = try fields["bound"]?.choice(KDEBound.self) ?? .both
            return .kde(variance: variance, upper: bound != .lower, lower: bound != .upper)
        case .adaptive:
            return .adaptive(bins: try fields["bins"]?.int(in: 1...100_000) ?? 30)
        case .knn:
            return .knn(k: try fields["k"]?.int(in: 1...100_000) ?? 3)
        case .ksg:
            return .ksg(k: try fields["k"]?.int(in: 1...100_000) ?? 3)
        case .renyi:
            let alpha = try fields["alpha"]?.double(in: 0.01...100) ?? 1.01
            if alpha == 1, let value = fields["alpha"] {
                throw value.error("α = 1 is Shannon's limit of the Rényi entropy, where 1/(1 − α) is undefined; use 1.01 as Yu et al. do")
            }
            return .renyi(alpha: alpha, gamma: try fields["gamma"]?.double(in: 1e-6...1e6) ?? 1,
                          samples: try fields["samples"]?.int(in: 2...5000) ?? 1000)  // 5000² doubles: 200 MB per Gram matrix
        }
    }

    package static func text(_ reader: ConfigReader) throws(ConfigError) -> String {
        if let text = reader.scalarText { return text }
        return "[" + (try reader.sequence().map { (r) throws(ConfigError) in try r.string() }).joined(separator: ", ") + "]"
    }
}
