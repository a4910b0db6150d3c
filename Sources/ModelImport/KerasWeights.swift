import HDF5
import Tensor

/// Where a Keras model keeps its weights.
enum KerasWeights {
    /// HDF5 from `model.save("m.h5")` (Keras 2 and 3): datasets named `kernel`, `bias`,
    /// `gamma`, … (Keras 2 appends `:0`) below `model_weights/<layer>`.
    case named(any H5Container)
    /// Keras 3's `.keras` archive (its `model.weights.h5`): `layers/<key>/vars/0`, `1`, …,
    /// each `vars` group naming its layer in the attribute `name`, in the order the layer
    /// creates them.
    case numbered([String: H5Group])

    /// The `vars` groups of a `.keras` archive's weights file, by layer name.
    static func numbered(in file: H5File, path: String) throws -> KerasWeights {
        guard file.isGroup("layers") else { return .numbered([:]) }
        let layers = try file.group("layers")
        var byName: [String: H5Group] = [:]
        for key in try layers.childNames() where layers.isGroup(key) {
            let group = try layers.group(key)
            guard group.isGroup("vars") else { continue }
            let vars = try group.group("vars")
            let name = vars.hasAttribute("name") ? try vars.stringAttribute("name") : key
            guard byName[name] == nil else { throw ModelImportError(file: path, "two weight groups name layer '\(name)'") }
            byName[name] = vars
        }
        return .numbered(byName)
    }

    /// The layer's weights by their Keras names (`kernel`, `bias`, `gamma`, `beta`,
    /// `moving_mean`, `moving_variance`), each checked to be finite. `settings` (the
    /// layer's configuration) says which a numbered layer has, in order.
    func tensors(layer: String, kind: String, settings: [String: Any], place: String, file: String) throws -> [String: Tensor] {
        switch self {
        case .named(let root):
            return try Self.named(root, layer: layer, place: place, file: file)
        case .numbered(let groups):
            guard let vars = groups[layer] else { throw ModelImportError(file: file, "\(place): no weights for layer '\(layer)' in model.weights.h5") }
            let names: [String]
            switch kind {
            case "BatchNormalization":
                names = (settings["scale"] as? Bool ?? true ? ["gamma"] : []) + (settings["center"] as? Bool ?? true ? ["beta"] : []) + ["moving_mean", "moving_variance"]
            case "SeparableConv2D":
                names = ["depthwise_kernel", "pointwise_kernel"] + (settings["use_bias"] as? Bool ?? true ? ["bias"] : [])
            default:
                names = ["kernel"] + (settings["use_bias"] as? Bool ?? true ? ["bias"] : [])
            }
            let stored = try vars.childNames().filter { vars.isDataset($0) }
            guard stored.count == names.count, stored.sorted() == names.indices.map(String.init).sorted() else {
                throw ModelImportError(file: file, "\(place): \(stored.count) weight arrays (\(stored.sorted().joined(separator: ", "))) for \(names.joined(separator: ", "))")
            }
            var found: [String: Tensor] = [:]
            for (index, name) in names.enumerated() { found[name] = try Self.tensor(try vars.dataset(String(index)), name, place: place, file: file) }
            return found
        }
    }

    private static func tensor(_ dataset: H5Dataset, _ key: String, place: String, file: String) throws -> Tensor {
        let tensor = Tensor(shape: try dataset.shape(), scalars: try dataset.read(as: Float.self))
        if let bad = tensor.scalars.firstIndex(where: { !$0.isFinite }) {
            throw ModelImportError(file: file, "\(place): \(key) holds a non-finite value (\(tensor.scalars[bad]))")
        }
        return tensor
    }

    /// The datasets below `model_weights/<layer>` by name without Keras 2's `:0`.
    private static func named(_ root: any H5Container, layer: String, place: String, file: String) throws -> [String: Tensor] {
        guard root.isGroup(layer) else { throw ModelImportError(file: file, "\(place): no weights group '\(layer)'") }
        var found: [String: Tensor] = [:]
        func visit(_ group: H5Group, depth: Int) throws {
            guard depth < 8 else { return }
            for child in try group.childNames() {
                if group.isGroup(child) {
                    try visit(try group.group(child), depth: depth + 1)
                } else if group.isDataset(child) {
                    let key = child.split(separator: ":").first.map(String.init) ?? child
                    guard ["kernel", "depthwise_kernel", "pointwise_kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance"].contains(key) else { continue }
                    guard found[key] == nil else { throw ModelImportError(file: file, "\(place): two '\(key)' datasets") }
                    found[key] = try tensor(try group.dataset(child), key, place: place, file: file)
                }
            }
        }
        try visit(try root.group(layer), depth: 0)
        return found
    }
}
