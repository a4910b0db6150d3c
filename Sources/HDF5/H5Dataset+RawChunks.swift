import CHDF5

extension H5Dataset {
    /// The stored bytes of the hyperslab `offset ..< offset + count` (one entry per axis),
    /// in the dataset's own type (no conversion), row-major.
    public func readRaw(offset: [Int], count: [Int]) throws(HDF5Error) -> [UInt8] {
        let shape = try shape()
        guard offset.count == shape.count, count.count == shape.count,
              zip(zip(offset, count), shape).allSatisfy({ $0.0 >= 0 && $0.1 >= 0 && $0.0 + $0.1 <= $1 }) else {
            throw HDF5Error(.mismatch, call: "H5Dread", file: filePath, object: path,
                            detail: "cannot read \(count) at \(offset) of \(shape)")
        }
        let type = ObjectHandle.datatype(try check(H5Dget_type(handle.id), "H5Dget_type", file: filePath, object: path))
        let bytes = try checkedElements(count.map { hsize_t($0) }, elementSize: Int(H5Tget_size(type.id))) * Int(H5Tget_size(type.id))
        var buffer = [UInt8](repeating: 0, count: max(bytes, 1))
        guard bytes > 0 else { return [] }
        let memory = ObjectHandle.dataspace(try check(H5Screate_simple(Int32(count.count), count.map { hsize_t($0) }, nil),
                                                      "H5Screate_simple", file: filePath, object: path))
        let file = ObjectHandle.dataspace(try check(H5Dget_space(handle.id), "H5Dget_space", file: filePath, object: path))
        try check(H5Sselect_hyperslab(file.id, H5S_SELECT_SET, offset.map { hsize_t($0) }, nil, count.map { hsize_t($0) }, nil),
                  "H5Sselect_hyperslab", file: filePath, object: path)
        try check(H5Dread(handle.id, type.id, memory.id, file.id, ip_H5P_DEFAULT(), &buffer), "H5Dread", file: filePath, object: path)
        return buffer
    }

    /// Writes one chunk's stored bytes, already passed through every filter of the
    /// dataset's pipeline (H5Dwrite_chunk): `offset` is the chunk's first element.
    public func writeRawChunk(at offset: [Int], _ bytes: [UInt8]) throws(HDF5Error) {
        HDF5Library.ensureInitialised()
        try check(H5Dwrite_chunk(handle.id, ip_H5P_DEFAULT(), 0, offset.map { hsize_t($0) }, bytes.count, bytes),
                  "H5Dwrite_chunk", file: filePath, object: path)
    }
}
