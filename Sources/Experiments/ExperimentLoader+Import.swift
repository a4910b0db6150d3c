import Configuration
import Foundation
import ModelImport
import Networks
import Recording
import Yams

extension ExperimentLoader {
    /// The configuration with an imported model written out: for `model.from: FILE`, the
    /// file's architecture as `layers` (all but the output layer, which `data.classes`
    /// sizes), `input_shape`, `input_layout`, and the file's `from_format` and
    /// `from_sha256`. A configuration written out before (a run file's) must name a file
    /// with the same SHA-256.
    ///
    /// - Parameter folder: the folder a relative `from` is relative to (the config
    ///   file's); a `from` given with `--set` is relative to the working directory.
    static func expandingImportedModel(_ root: Node, relativeTo folder: String?, overridden: [String],
                                       file: String) throws(ConfigError) -> Node {
        guard case .mapping(var top) = root, case .mapping(var model)? = top["model"],
              var from = model["from"]?.string, !from.isEmpty else { return root }
        if let folder, !from.hasPrefix("/"), !overridden.contains("model.from") {
            from = relativeToWorkingDirectory(URL(fileURLWithPath: folder).appendingPathComponent(from).standardizedFileURL.path)
        }
        let imported: ImportedModel
        do {
            imported = try ModelImporter.load(from)
        } catch {
            throw ConfigError(file: file, keyPath: "model.from", reporting: error)
        }
        if let recorded = model["from_sha256"]?.string {
            guard recorded == imported.sha256 else {
                throw ConfigError(file: file, keyPath: "model.from",
                                  "\(from) is not the file this configuration was written for (SHA-256 \(imported.sha256.prefix(12))…, recorded \(recorded.prefix(12))…)")
            }
        } else if model["layers"] != nil || model["widths"] != nil {
            throw ConfigError(file: file, keyPath: "model", "`from` gives the architecture; remove `layers` and `widths`")
        }
        if let first = imported.structuralZeros.first, case .mapping(let training)? = top["training"],
           let epochs = training["epochs"]?.int, epochs > 0 {
            throw ConfigError(file: file, keyPath: "training.epochs",
                              "\(from): \(first) is a grouped or dilated convolution imported with zeros in its kernel, which training would fill in; record or explain the model (0 epochs) instead")
        }
        model["from"] = Node(from)
        model["from_format"] = Node(imported.format.rawValue)
        model["from_sha256"] = Node(imported.sha256)
        model["input_shape"] = flowList(imported.inputShape)
        if let layout = imported.inputLayout { model["input_layout"] = Node(layout.rawValue) }
        model["layers"] = .sequence(Node.Sequence(try layerItems(imported.architecture, file: file)))
        top["model"] = .mapping(model)
        if case .mapping(var data)? = top["data"] {
            if let given = data["classes"]?.int, given != imported.outputUnits {
                throw ConfigError(file: file, keyPath: "data.classes", "\(given) classes, but the model \(from) has \(imported.outputUnits) outputs")
            }
            data["classes"] = Node(String(imported.outputUnits))
            top["data"] = .mapping(data)
        }
        return .mapping(top)
    }

    private static func flowList(_ values: [Int]) -> Node {
        .sequence(Node.Sequence(values.map { Node(String($0)) }, .implicit, .flow))
    }

    /// The nodes but the output layer (which the configuration adds, sized by
    /// `data.classes`) as `layers` items: each in ``LayerSpec``'s `Codable` form, with
    /// `inputs` where it does not take the item before, and merges naming their inputs
    /// (`{add: [conv3, conv1]}`). Names are left to the configuration, which numbers the
    /// nodes by kind as the importer does.
    static func layerItems(_ architecture: ModelDescription, file: String) throws(ConfigError) -> [Node] {
        let nodes = architecture.nodes
        var items: [Node] = []
        for (index, node) in nodes.enumerated() {
            let previous = index == 0 ? ModelDescription.modelInput : nodes[index - 1].name
            if index == nodes.count - 1 {
                guard node.inputs == [previous] else {
                    throw ConfigError(file: file, keyPath: "model.from", "the output layer takes \(node.inputs.joined(separator: ", ")), not the layer before it")
                }
                break
            }
            if node.spec.kind.isMerge {
                let inputs = Node.sequence(Node.Sequence(node.inputs.map { Node($0) }, .implicit, .flow))
                items.append(.mapping(Node.Mapping([(Node(node.spec.kind.rawValue), inputs)])))
                continue
            }
            let item = try layerNode(node.spec, file: file)
            guard node.inputs != [previous] else {
                items.append(item)
                continue
            }
            // A scalar item (`flatten`) becomes a mapping so that it can carry its input.
            var pairs: [(Node, Node)] = []
            if case .mapping(let mapping) = item { pairs = Array(mapping) } else { pairs = [(item, .mapping(Node.Mapping([])))] }
            pairs.append((Node("inputs"), Node(node.inputs.first ?? ModelDescription.modelInput)))
            items.append(.mapping(Node.Mapping(pairs)))
        }
        return items
    }

    /// One layer as the configuration spells it: ``LayerSpec``'s `Codable` form.
    static func layerNode(_ layer: LayerSpec, file: String) throws(ConfigError) -> Node {
        do {
            guard let node = try Yams.compose(yaml: try YAMLEncoder().encode(layer)) else { throw ConfigError(file: file, keyPath: "model.layers", "empty layer") }
            return node
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(file: file, keyPath: "model.layers", "a \(layer.kind.rawValue) layer could not be written out: \(error)")
        }
    }
}

/// Copies an imported model's weights into the model a run builds from its
/// configuration (`model.from`), after checking that the file is the one the
/// configuration describes.
package enum ImportedWeights {
    package static func load(into model: inout Sequential, config: ModelConfig, file: String) throws(ConfigError) {
        guard let from = config.from else { return }
        let imported: ImportedModel
        do {
            imported = try ModelImporter.load(from)
        } catch {
            throw ConfigError(file: file, keyPath: "model.from", reporting: error)
        }
        if let recorded = config.fromSHA256, recorded != imported.sha256 {
            throw ConfigError(file: file, keyPath: "model.from", "\(from) changed since the configuration was written (SHA-256 differs)")
        }
        let source: Sequential
        do { source = try imported.sequential() } catch { throw ConfigError(file: file, keyPath: "model.from", reporting: error) }
        guard source.layers.count == model.layers.count else {
            throw ConfigError(file: file, keyPath: "model.layers", "\(model.layers.count) layers, but \(from) has \(source.layers.count)")
        }
        for index in model.layers.indices {
            let wanted = model.layers[index].parameters.map(\.shape), given = source.layers[index].parameters.map(\.shape)
            guard wanted == given else {
                throw ConfigError(file: file, keyPath: "model.layers", "layer \(model.layers[index].name): parameters of shapes \(wanted), but \(from) has \(given)")
            }
            model.layers[index].parameters = source.layers[index].parameters
        }
    }
}

extension ModelConfig {
    /// The imported model's file, format and SHA-256 as a run file records them.
    package var source: ModelSource? {
        guard let from, let fromFormat, let fromSHA256 else { return nil }
        return ModelSource(path: from, format: fromFormat.rawValue, sha256: fromSHA256)
    }
}
