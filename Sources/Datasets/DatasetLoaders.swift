import Foundation
import HDF5
import Tensor

/// Loaders for the data sets of the field; each validates and names the file at fault.
public enum DatasetLoaders {
    /// A MATLAB file with an inputs matrix `[sample, feature]` and a label vector (either
    /// orientation), as the 2017 set: `var_u.mat` has `F` 4096×12 logical and `y` 1×4096.
    public static func mat(_ path: String, inputs: String = "F", labels: String = "y",
                           name: String? = nil) throws(DatasetError) -> LabeledDataset {
        let arrays = try MATFile.read(path)
        guard let x = arrays[inputs] else {
            throw DatasetError(.inconsistent, file: path, "no inputs variable \"\(inputs)\" (the file has: \(arrays.keys.sorted().joined(separator: ", ")))")
        }
        guard let y = arrays[labels] else {
            throw DatasetError(.inconsistent, file: path, "no labels variable \"\(labels)\" (the file has: \(arrays.keys.sorted().joined(separator: ", ")))")
        }
        guard x.dimensions.count == 2 else {
            throw DatasetError(.unsupported, file: path, "inputs \"\(inputs)\" have \(x.dimensions.count) dimensions; a [sample, feature] matrix is needed")
        }
        let matrix = x.rowMajor()
        let tensor = Tensor(shape: [matrix.rows, matrix.columns], scalars: matrix.values.map { Float($0) })
        guard y.dimensions.filter({ $0 != 1 }).count <= 1 else {
            throw DatasetError(.inconsistent, file: path, "labels \"\(labels)\" are a \(y.dimensions) matrix, not a vector")
        }
        let classes = try LabeledDataset.integerLabels(y.values, file: path, variable: labels)
        return try LabeledDataset(name: name ?? baseName(path), inputs: tensor, labels: classes, file: path)
    }

    /// An IDX images file and an IDX labels file (MNIST, Fashion-MNIST), gzipped or not.
    /// Images `[n, h, w]` become NHWC `[n, h, w, 1]`; unsigned bytes are scaled to [0, 1].
    public static func idx(images: String, labels: String, name: String? = nil) throws(DatasetError) -> LabeledDataset {
        let x = try IDXFile.read(images)
        let y = try IDXFile.read(labels)
        guard y.dimensions.count == 1 else {
            throw DatasetError(.inconsistent, file: labels, "labels have dimensions \(y.dimensions); one dimension is needed")
        }
        guard x.dimensions[0] == y.dimensions[0] else {
            throw DatasetError(.inconsistent, file: labels, "\(y.dimensions[0]) labels for \(x.dimensions[0]) images in \(images)")
        }
        let scale = x.isUnsignedByte ? 1.0 / 255.0 : 1.0
        var shape = x.dimensions
        if shape.count == 3 { shape.append(1) }
        let tensor = Tensor(shape: shape, scalars: x.values.map { Float($0 * scale) })
        let classes = try LabeledDataset.integerLabels(y.values, file: labels, variable: "labels")
        return try LabeledDataset(name: name ?? baseName(images), inputs: tensor, labels: classes, file: labels)
    }

    /// Fashion-MNIST (or MNIST) from a folder of the four standard IDX files, as
    /// Debian's `dataset-fashion-mnist` installs them in `/usr/share/datasets/fashion-mnist`.
    public static func mnistFolder(_ folder: String, split: MNISTSplit, name: String = "fashion-mnist") throws(DatasetError) -> LabeledDataset {
        let prefix = split == .train ? "train" : "t10k"
        func find(_ stem: String) -> String {
            let plain = "\(folder)/\(prefix)-\(stem)"
            let gz = plain + ".gz"
            return FileManager.default.fileExists(atPath: gz) ? gz : plain
        }
        return try idx(images: find("images-idx3-ubyte"), labels: find("labels-idx1-ubyte"),
                       name: "\(name)-\(prefix == "train" ? "train" : "test")")
    }

    public enum MNISTSplit: Sendable { case train, test }

    /// An HDF5 file with an inputs dataset `[sample, features...]` and a labels dataset
    /// `[sample]` (as numpy writes them through h5py).
    public static func hdf5(_ path: String, inputs: String = "x", labels: String = "y", name: String? = nil) throws(DatasetError) -> LabeledDataset {
        do {
            let file = try H5File.open(path)
            guard file.isDataset(inputs) else {
                throw DatasetError(.inconsistent, file: path, "no inputs dataset \"\(inputs)\"")
            }
            guard file.isDataset(labels) else {
                throw DatasetError(.inconsistent, file: path, "no labels dataset \"\(labels)\"")
            }
            let x = try file.dataset(inputs)
            let shape = try x.shape()
            guard shape.count >= 2 else {
                throw DatasetError(.inconsistent, file: path, "inputs \"\(inputs)\" have shape \(shape); [sample, features...] is needed")
            }
            let tensor = Tensor(shape: shape, scalars: try x.read(as: Float.self))
            let y = try file.dataset(labels)
            guard try y.shape().filter({ $0 != 1 }).count <= 1 else {
                throw DatasetError(.inconsistent, file: path, "labels \"\(labels)\" are not a vector (shape \(try y.shape()))")
            }
            let classes = try LabeledDataset.integerLabels(try y.read(as: Double.self), file: path, variable: labels)
            return try LabeledDataset(name: name ?? baseName(path), inputs: tensor, labels: classes, file: path)
        } catch let error as DatasetError {
            throw error
        } catch {
            throw DatasetError(.malformed, file: path, "\(error)")
        }
    }

    /// A file's name without folders and extensions: the data set's default name.
    public static func baseName(_ path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        if let dot = file.firstIndex(of: ".") { return String(file[..<dot]) }
        return file
    }
}

