import Foundation
import SafeFiles

/// Imports a model file of another framework: ONNX (`.onnx`), Keras HDF5 (`.h5`,
/// `.hdf5`) or Keras 3's `.keras` archive, told apart by their first bytes (and a zip's
/// members: a PyTorch archive is named as such, with how to export it).
public enum ModelImporter {
    /// The largest model file read: 2 GiB (protobuf's own limit for one message).
    public static let maximumBytes = 1 << 31

    /// - Throws: ``ModelImportError`` naming the file and the first thing it cannot
    ///   import (an operator, an attribute, a layer class), never a crash.
    public static func load(_ path: String) throws(ModelImportError) -> ImportedModel {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ModelImportError(file: path, "no such file")
        }
        guard !isFolder.boolValue else {
            throw ModelImportError(file: path, "is a folder (a TensorFlow SavedModel?); export the model to ONNX (tf2onnx) or save it with Keras (model.save(\"m.keras\"))")
        }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular else {
            throw ModelImportError(file: path, "is not a regular file")
        }
        let size = (attributes[.size] as? Int) ?? 0
        guard size <= maximumBytes else { throw ModelImportError(file: path, "\(size) bytes is more than the \(maximumBytes) a model file may have") }
        guard let data = FileManager.default.contents(atPath: path) else { throw ModelImportError(file: path, "cannot read the file") }
        let bytes = [UInt8](data)
        let digest: String
        do { digest = try FileDigest.sha256Hex(bytes) } catch { throw ModelImportError(file: path, "\(error)") }
        let hdf5Magic: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        if bytes.starts(with: hdf5Magic) { return try KerasImporter.read(path, sha256: digest) }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            if isPyTorchArchive(bytes) { throw ModelImportError(file: path, pyTorchAdvice("a PyTorch archive (torch.save or torch.jit.save)")) }
            return try KerasImporter.readArchive(bytes, path: path, sha256: digest)
        }
        // torch.save before PyTorch 1.6 (and `_use_new_zipfile_serialization=False`): a pickle.
        if bytes.count >= 2, bytes[0] == 0x80, (2...5).contains(bytes[1]) {
            throw ModelImportError(file: path, pyTorchAdvice("a Python pickle (a PyTorch .pt/.pth of torch.save's legacy format?)"))
        }
        return try ONNXImporter.read(bytes, file: path, sha256: digest)
    }

    /// One line on what a PyTorch file is and how to bring the model: export it to ONNX.
    static func pyTorchAdvice(_ what: String) -> String {
        "\(what): the lab reads ONNX and Keras (.keras, HDF5), not PyTorch's pickled weights; export the model with torch.onnx.export(model, example_input, \"model.onnx\") (a state_dict: load it into the nn.Module first), then use model.onnx"
    }

    /// Whether a zip archive is PyTorch's: its first entry is `<name>/data.pkl`,
    /// `<name>/version` or another entry of torch.save's and torch.jit.save's layout
    /// (`.pkl` files, `code/`, `constants.pkl`), read from the first local file header.
    static func isPyTorchArchive(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 30 else { return false }
        let length = Int(bytes[26]) | Int(bytes[27]) << 8
        guard length > 0, 30 + length <= bytes.count else { return false }
        let name = String(decoding: bytes[30..<(30 + length)], as: UTF8.self)
        return name.hasSuffix(".pkl") || name.hasSuffix("/version") || name.hasSuffix("/.format_version") || name.contains("/code/")
            || name.hasSuffix("/byteorder") || name.contains("/data/")
    }
}
