import Configuration
import Datasets
import Foundation
import Networks
import Recording
import Tensor

/// The data of an experiment, loaded and split: what the trainer and the recorder get.
package struct PreparedData: Sendable {
    package var name: String
    package var examples: Examples
    package var classCount: Int
    package var sampleShape: [Int]
    package var split: Split

    /// Loads the configured data set and splits it. File problems become ``ConfigError``s
    /// at the key that names the file.
    /// - Parameter model: the model the data is for: its `input_shape` decides the
    ///   layout of 4-D numpy inputs when `layout` is not given.
    package static func load(_ config: DataConfig, model: ModelConfig? = nil, seed: UInt64, file: String) throws(ConfigError) -> PreparedData {
        func located(_ key: String, _ error: DatasetError) -> ConfigError {
            ConfigError(file: file, keyPath: "data.\(key)", error.description)
        }
        func requireFile(_ path: String, key: String) throws(ConfigError) {
            guard FileManager.default.fileExists(atPath: path) else {
                let place = path.hasPrefix("/") ? "" : " (relative to \(FileManager.default.currentDirectoryPath))"
                throw ConfigError(file: file, keyPath: "data.\(key)", "no such file: \(path)\(place)")
            }
        }
        func required(_ value: String?, key: String) throws(ConfigError) -> String {
            guard let value else { throw ConfigError(file: file, keyPath: "data.\(key)", "missing required key") }
            return value
        }
        var dataset: LabeledDataset
        var split: Split
        do {
            switch config.source {
            case .mat:
                let path = try required(config.path, key: "path")
                try requireFile(path, key: "path")
                dataset = try DatasetLoaders.mat(path, inputs: config.inputs ?? "F", labels: config.labels ?? "y")
            case .hdf5:
                let path = try required(config.path, key: "path")
                try requireFile(path, key: "path")
                dataset = try DatasetLoaders.hdf5(path, inputs: config.inputs ?? "x", labels: config.labels ?? "y")
                // 4-D images in NCHW order (h5py files written from PyTorch tensors) become NHWC.
                if dataset.inputs.rank == 4,
                   (config.layout ?? Self.inferredLayout(dataset.inputs.shape, expected: model?.inputShape, preferred: model?.inputLayout)) == .nchw {
                    dataset.inputs = ImageLayout.nhwc(fromNCHW: dataset.inputs)
                }
            case .npz, .npy:
                let pair: (x: NumpyArray, y: NumpyArray)
                let source: String
                if config.source == .npz {
                    source = try required(config.path, key: "path")
                    try requireFile(source, key: "path")
                    pair = try DatasetLoaders.npzPair(source, inputs: config.inputs ?? "x", labels: config.labels ?? "y")
                } else {
                    source = try required(config.inputs, key: "inputs")
                    let labels = try required(config.labels, key: "labels")
                    try requireFile(source, key: "inputs")
                    try requireFile(labels, key: "labels")
                    pair = (try DatasetLoaders.npyArray(source), try DatasetLoaders.npyArray(labels))
                }
                let layout = config.layout ?? Self.inferredLayout(pair.x.shape, expected: model?.inputShape, preferred: model?.inputLayout)
                dataset = try DatasetLoaders.numpy(inputs: pair.x, labels: pair.y, layout: layout, classCount: config.classes,
                                                   name: DatasetLoaders.baseName(source), file: source)
            case .idx:
                let images = try required(config.images, key: "images"), labels = try required(config.labels, key: "labels")
                try requireFile(images, key: "images")
                try requireFile(labels, key: "labels")
                dataset = try DatasetLoaders.idx(images: images, labels: labels)
            case .fashionMNIST:
                guard FileManager.default.fileExists(atPath: config.folder) else {
                    throw ConfigError(file: file, keyPath: "data.folder", "no such folder: \(config.folder) (Debian: apt-get install dataset-fashion-mnist)")
                }
                var train = try DatasetLoaders.mnistFolder(config.folder, split: .train)
                var test = try DatasetLoaders.mnistFolder(config.folder, split: .test)
                if let n = config.trainSamples { train = train.subset(Array(0..<min(n, train.count))) }
                if let n = config.testSamples { test = test.subset(Array(0..<min(n, test.count))) }
                let inputs = Tensor(shape: [train.count + test.count] + train.sampleShape, scalars: train.inputs.scalars + test.inputs.scalars)
                dataset = try LabeledDataset(name: "fashion-mnist", inputs: inputs, labels: train.labels + test.labels,
                                             classCount: max(train.classCount, test.classCount), file: config.folder)
                split = Split(train: Array(0..<train.count), test: Array(train.count..<dataset.count))
                return PreparedData(name: dataset.name, examples: Examples(inputs: dataset.inputs, labels: dataset.labels),
                                    classCount: dataset.classCount, sampleShape: dataset.sampleShape, split: split)
            }
        } catch let error as ConfigError {
            throw error
        } catch let error as DatasetError {
            throw located(config.source == .idx ? "images" : config.source == .npy ? "inputs" : "path", error)
        } catch {
            throw ConfigError(file: file, keyPath: "data", reporting: error)
        }
        if let classes = config.classes, config.source != .npz, config.source != .npy {
            if let top = dataset.labels.max(), Int(top) >= classes {
                throw ConfigError(file: file, keyPath: "data.classes", "label \(top) does not fit \(classes) classes")
            }
            dataset.classCount = classes
        }
        if let expected = model?.inputShape, expected != dataset.sampleShape {
            var hint = ""
            if dataset.sampleShape.count == 3, config.source == .npz || config.source == .npy {
                hint = config.layout == nil ? "; give data.layout (nchw or nhwc)" : "; is data.layout \(config.layout?.rawValue ?? "") right?"
            }
            throw ConfigError(file: file, keyPath: "data", "samples of shape \(dataset.sampleShape) (NHWC), but the model takes \(expected)\(hint)")
        }
        let splitSeed = config.splitSeed ?? seed
        switch config.split {
        case .shuffled:
            split = Split.shuffled(count: dataset.count, trainFraction: config.trainFraction, seed: splitSeed)
        case .stratified:
            split = Split.stratified(labels: dataset.labels, trainFraction: config.trainFraction, seed: splitSeed)
        case .file:
            do {
                let splitFile = try required(config.splitFile, key: "split_file")
                try requireFile(splitFile, key: "split_file")
                split = try Split.read(splitFile, count: dataset.count)
            } catch let error as ConfigError {
                throw error
            } catch let error as DatasetError {
                throw located("split_file", error)
            } catch {
                throw ConfigError(file: file, keyPath: "data.split_file", reporting: error)
            }
        }
        return PreparedData(name: dataset.name, examples: Examples(inputs: dataset.inputs, labels: dataset.labels),
                            classCount: dataset.classCount, sampleShape: dataset.sampleShape, split: split)
    }

    /// The layout of a 4-D numpy inputs array `[n, a, b, c]`: the one whose NHWC sample
    /// shape is the model's input, the model's own when both are, NHWC without a model.
    static func inferredLayout(_ shape: [Int], expected: [Int]?, preferred: ImageLayout?) -> ImageLayout {
        guard shape.count == 4, let expected else { return preferred ?? .nhwc }
        let asNHWC = Array(shape.dropFirst()), asNCHW = [shape[2], shape[3], shape[1]]
        switch (asNHWC == expected, asNCHW == expected) {
        case (true, false): return .nhwc
        case (false, true): return .nchw
        default: return preferred ?? .nhwc
        }
    }

    /// The rows whose activations are recorded.
    package func recordedRows(_ selection: RecordingConfig.Samples?, seed: UInt64) -> [Int] {
        let choice = selection ?? (examples.count > 10_000 ? .subset(1000) : .all)
        switch choice {
        case .all: return Array(0..<examples.count)
        case .train: return split.train
        case .test: return split.test
        case .subset(let n):
            var rng = SeededRNG(seed: seed).fork("recorded-samples")
            return Array(rng.permutation(examples.count).prefix(n)).sorted()
        }
    }
}
