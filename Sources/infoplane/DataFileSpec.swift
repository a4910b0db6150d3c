import Configuration
import Datasets
import Foundation
import Yams

/// A data file given on the command line (`record --data`, `explain --data`) as a
/// configuration's `data` section: its kind from the extension, the arrays' names in it,
/// the axis order of images.
enum DataFileSpec {
    static func items(file: String, inputs: String?, labels: String?, layout: String?) throws -> [(String, Node)] {
        var data: [(String, Node)]
        switch URL(fileURLWithPath: file).pathExtension.lowercased() {
        case "npz": data = [("source", "npz"), ("path", Node(file))]
        case "npy":
            guard let labels else { throw InputError("--data \(file): .npy inputs need --labels FILE.npy") }
            data = [("source", "npy"), ("inputs", Node(file)), ("labels", Node(labels))]
        case "h5", "hdf5": data = [("source", "hdf5"), ("path", Node(file))]
        case "mat": data = [("source", "mat"), ("path", Node(file))]
        case let other:
            throw InputError("--data \(file): a .\(other) file; .npz, .npy, .h5/.hdf5 and .mat are supported")
        }
        if !file.lowercased().hasSuffix(".npy") {
            if let inputs { data.append(("inputs", Node(inputs))) }
            if let labels { data.append(("labels", Node(labels))) }
        }
        if let layout {
            guard ImageLayout(rawValue: layout) != nil else { throw InputError("--layout must be nchw or nhwc, got \"\(layout)\"") }
            data.append(("layout", Node(layout)))
        }
        return data
    }

    /// The `data` section for `items`, parsed as a configuration's.
    static func config(_ items: [(String, Node)], trainFraction: Double) throws -> DataConfig {
        let mapping = Node.mapping(Node.Mapping((items + [("train_fraction", Node(String(trainFraction)))]).map { (Node($0.0), $0.1) }))
        do {
            return try DataConfig(ConfigReader(node: mapping, file: "--data"))
        } catch {
            throw InputError(wrapping: error)
        }
    }
}
