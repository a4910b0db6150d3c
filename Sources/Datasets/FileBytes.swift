import Foundation

/// Reads whole files, turning every failure into a ``DatasetError`` naming the path.
enum FileBytes {
    static func read(_ path: String) throws(DatasetError) -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DatasetError(.unreadable, file: path, "no such file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(.unreadable, file: path, "cannot read the file")
        }
        return [UInt8](data)
    }

    /// The file's bytes, gunzipped when they start with the gzip magic (1f 8b).
    static func readMaybeGzipped(_ path: String) throws(DatasetError) -> [UInt8] {
        let bytes = try read(path)
        guard bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B else { return bytes }
        return try Inflate.decompress(bytes[...], container: .gzip, file: path)
    }
}
