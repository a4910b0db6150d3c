import Tensor

/// The order of an image array's axes in a file: numpy arrays from PyTorch are NCHW
/// (`[sample, channel, height, width]`), from Keras and TensorFlow NHWC. The lab's
/// tensors are always NHWC; NCHW inputs are transposed when read.
public enum ImageLayout: String, Sendable, CaseIterable {
    case nchw, nhwc
}

extension ImageLayout {
    /// `[n, c, h, w]` images as the lab's `[n, h, w, c]`.
    public static func nhwc(fromNCHW images: Tensor) -> Tensor {
        guard images.rank == 4 else { return images }
        let (n, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        var nhwc = [Float](repeating: 0, count: images.count)
        images.scalars.withUnsafeBufferPointer { values in
            for s in 0..<n { for ch in 0..<c { for i in 0..<h { for j in 0..<w {
                nhwc[((s * h + i) * w + j) * c + ch] = values[((s * c + ch) * h + i) * w + j]
            } } } }
        }
        return Tensor(shape: [n, h, w, c], scalars: nhwc)
    }
}

extension DatasetLoaders {
    /// The arrays of an `.npz` archive (`numpy.savez`, `numpy.savez_compressed`), by
    /// name without the `.npy` suffix.
    public static func npzArrays(_ path: String) throws(DatasetError) -> [String: NumpyArray] {
        let archive = try ZipArchive(bytes: FileBytes.read(path), file: path)
        var arrays: [String: NumpyArray] = [:]
        for entry in archive.entries where entry.name.hasSuffix(".npy") {
            let name = String(entry.name.dropLast(4))
            arrays[name] = try NumpyArray(bytes: archive.contents(of: entry)[...], file: "\(path):\(entry.name)")
        }
        guard !arrays.isEmpty else { throw DatasetError(.inconsistent, file: path, "the archive holds no .npy arrays") }
        return arrays
    }

    /// One `.npy` file.
    public static func npyArray(_ path: String) throws(DatasetError) -> NumpyArray {
        try NumpyArray(bytes: FileBytes.read(path)[...], file: path)
    }

    /// The inputs and labels named in an `.npz` archive.
    public static func npzPair(_ path: String, inputs: String, labels: String) throws(DatasetError) -> (x: NumpyArray, y: NumpyArray) {
        let arrays = try npzArrays(path)
        let names = arrays.keys.sorted().joined(separator: ", ")
        guard let x = arrays[inputs] else { throw DatasetError(.inconsistent, file: path, "no inputs array \"\(inputs)\" (the archive has: \(names))") }
        guard let y = arrays[labels] else { throw DatasetError(.inconsistent, file: path, "no labels array \"\(labels)\" (the archive has: \(names))") }
        return (x, y)
    }

    /// A data set from numpy arrays: inputs `[sample, features...]` and labels, either
    /// integer classes `[sample]` or one-hot rows `[sample, class]`.
    ///
    /// - Parameters:
    ///   - layout: the order of a 4-D inputs array's axes; NCHW is transposed to the lab's
    ///     NHWC. 3-D inputs `[sample, height, width]` get one channel.
    ///   - classCount: the number of classes when the labels need not show them all (a
    ///     model's output units); nil infers max(label) + 1 (or the one-hot width).
    public static func numpy(inputs x: NumpyArray, labels y: NumpyArray, layout: ImageLayout, classCount: Int? = nil,
                             name: String, file: String) throws(DatasetError) -> LabeledDataset {
        guard x.shape.count >= 2 else {
            throw DatasetError(.inconsistent, file: file, "inputs of shape \(x.shape); [sample, features...] is needed")
        }
        var shape = x.shape
        var values = x.floats()
        switch shape.count {
        case 3:
            shape.append(1)
        case 4 where layout == .nchw:
            let nhwc = ImageLayout.nhwc(fromNCHW: Tensor(shape: shape, scalars: values))
            values = nhwc.scalars
            shape = nhwc.shape
        default:
            break
        }
        let labels: [Int32]
        var classes = classCount
        if y.shape.count == 2 && y.shape[1] > 1 {
            let width = y.shape[1]
            let hot = y.doubles()
            var decoded = [Int32](repeating: 0, count: y.shape[0])
            for row in 0..<y.shape[0] {
                let slice = hot[(row * width)..<((row + 1) * width)]
                guard slice.allSatisfy({ $0 == 0 || $0 == 1 }), slice.reduce(0, +) == 1, let hit = slice.firstIndex(of: 1) else {
                    throw DatasetError(.inconsistent, file: file, "labels row \(row) is not one-hot (labels of shape \(y.shape) are read as one-hot rows)")
                }
                decoded[row] = Int32(hit - row * width)
            }
            labels = decoded
            classes = max(classes ?? 0, width)
        } else {
            guard y.shape.filter({ $0 != 1 }).count <= 1 else {
                throw DatasetError(.inconsistent, file: file, "labels of shape \(y.shape) are neither a vector of classes nor one-hot rows")
            }
            labels = try LabeledDataset.integerLabels(y.doubles(), file: file, variable: "labels")
        }
        if let classes, let top = labels.max(), Int(top) >= classes {
            throw DatasetError(.inconsistent, file: file, "label \(top) does not fit \(classes) classes (the model's outputs)")
        }
        return try LabeledDataset(name: name, inputs: Tensor(shape: shape, scalars: values), labels: labels,
                                  classCount: classes, file: file)
    }
}
