import CHDF5
import CHDF5Guard

extension H5File {
    /// Opens, read-only, an HDF5 file held in memory (HDF5's core driver on a copy of
    /// `bytes`, nothing written to disk): the weights inside a Keras `.keras` archive.
    /// `name` stands for the file in messages (e.g. `m.keras:model.weights.h5`).
    public static func open(image bytes: [UInt8], name: String) throws(HDF5Error) -> H5File {
        HDF5Library.ensureInitialised()
        let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.starts(with: signature) else {
            throw HDF5Error(.notHDF5, call: "H5Fopen", file: name, detail: "not an HDF5 file (no HDF5 signature)")
        }
        ip_guard_set_file(name)
        let fapl = ObjectHandle.propertyList(try check(H5Pcreate(ip_H5P_FILE_ACCESS()), "H5Pcreate", file: name))
        try check(H5Pset_fapl_core(fapl.id, 1 << 20, false), "H5Pset_fapl_core", file: name)
        let status = bytes.withUnsafeBytes { buffer in
            H5Pset_file_image(fapl.id, UnsafeMutableRawPointer(mutating: buffer.baseAddress), buffer.count)
        }
        try check(status, "H5Pset_file_image", file: name)
        let id = try check(H5Fopen(name, ip_H5F_ACC_RDONLY(), fapl.id), "H5Fopen", file: name)
        return H5File(handle: .readOnlyFile(id), filePath: name)
    }
}
