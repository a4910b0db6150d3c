import Foundation
import Networks

extension RunFile {
    /// The model's description as the run recorded it (the root `model_architecture`,
    /// format version 2); nil for version-1 files, whose architecture is their stored
    /// configuration's.
    public func architecture() throws -> ModelDescription? {
        guard file.hasAttribute("model_architecture") else { return nil }
        let text = try file.stringAttribute("model_architecture")
        do {
            let description = try JSONDecoder().decode(ModelDescription.self, from: Data(text.utf8))
            guard description.nodes.map(\.name) == layers.map(\.name), description.nodes.map(\.inputs) == layers.map(\.inputs) else {
                throw RunFileError(file: path, "model_architecture names other layers or inputs than the layer groups")
            }
            return description
        } catch let error as RunFileError {
            throw error
        } catch {
            throw RunFileError(file: path, "model_architecture is not a model description: \(error)")
        }
    }
}
