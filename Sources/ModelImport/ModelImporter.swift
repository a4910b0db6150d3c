import Crypto
import Foundation

/// Imports a model file of another framework: ONNX (`.onnx`) or Keras HDF5 (`.h5`,
/// `.hdf5`), told apart by their first bytes.
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
            throw ModelImportError(file: path, "is a folder (a TensorFlow SavedModel?); export the model to ONNX (tf2onnx) or save it as Keras HDF5 (model.save(\"m.h5\"))")
        }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular else {
            throw ModelImportError(file: path, "is not a regular file")
        }
        let size = (attributes[.size] as? Int) ?? 0
        guard size <= maximumBytes else { throw ModelImportError(file: path, "\(size) bytes is more than the \(maximumBytes) a model file may have") }
        guard let data = FileManager.default.contents(atPath: path) else { throw ModelImportError(file: path, "cannot read the file") }
        let bytes = [UInt8](data)
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        let hdf5Magic: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        if bytes.starts(with: hdf5Magic) { return try KerasImporter.read(path, sha256: digest) }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            throw ModelImportError(file: path, "a zip archive (the Keras 3 `.keras` format?); save the model as HDF5 (model.save(\"m.h5\")) or export it to ONNX")
        }
        return try ONNXImporter.read(bytes, file: path, sha256: digest)
    }
}
