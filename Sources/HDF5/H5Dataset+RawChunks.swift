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

extension H5Dataset {
    /// The chunk shape (one entry per axis); nil for contiguous or compact storage.
    public func chunkShape() throws(HDF5Error) -> [Int]? {
        let dcpl = ObjectHandle.propertyList(try check(H5Dget_create_plist(handle.id), "H5Dget_create_plist", file: filePath, object: path))
        guard H5Pget_layout(dcpl.id) == H5D_CHUNKED else { return nil }
        var dims = [hsize_t](repeating: 0, count: 32)
        let rank = Int(try check(H5Pget_chunk(dcpl.id, 32, &dims), "H5Pget_chunk", file: filePath, object: path))
        return dims.prefix(rank).map { Int(clamping: $0) }
    }

    /// The dataset's filters in the order they apply when writing (HDF5 filter ids:
    /// 1 deflate, 2 shuffle, 3 Fletcher-32, …); empty without a pipeline.
    public func filterPipeline() throws(HDF5Error) -> [Int] {
        let dcpl = ObjectHandle.propertyList(try check(H5Dget_create_plist(handle.id), "H5Dget_create_plist", file: filePath, object: path))
        let count = try check(H5Pget_nfilters(dcpl.id), "H5Pget_nfilters", file: filePath, object: path)
        var filters: [Int] = []
        for index in 0..<UInt32(count) {
            var flags: UInt32 = 0, valueCount = 0, config: UInt32 = 0
            var values = [UInt32](repeating: 0, count: 16)
            var name = [CChar](repeating: 0, count: 64)
            valueCount = values.count
            let id = H5Pget_filter2(dcpl.id, index, &flags, &valueCount, &values, name.count, &name, &config)
            guard id >= 0 else {
                throw HDF5Error(.callFailed, call: "H5Pget_filter2", file: filePath, object: path, detail: HDF5Library.drainErrorStack().joined(separator: "; "))
            }
            filters.append(Int(id))
        }
        return filters
    }

    /// Whether the file stores exactly `T`'s in-memory type (same size, order and
    /// encoding): its bytes can then be used without HDF5's conversion.
    public func stores<T: H5Element>(_ type: T.Type) -> Bool {
        let fileType = H5Dget_type(handle.id)
        guard fileType >= 0 else {
            _ = HDF5Library.drainErrorStack()
            return false
        }
        defer { H5Tclose(fileType) }
        guard let memoryType = try? T.memoryType() else { return false }
        return H5Tequal(fileType, memoryType.id) > 0 && H5Tget_size(fileType) == MemoryLayout<T>.size
    }

    /// One chunk's stored bytes, as its filters left them (`H5Dread_chunk`), and the
    /// mask of the filters skipped for it (bit i set: filter i was not applied).
    ///
    /// - Parameters:
    ///   - offset: the chunk's first element.
    ///   - limit: the most bytes the chunk may hold; the size the file states is checked
    ///     against it before anything is allocated.
    public func readRawChunk(at offset: [Int], limit: Int) throws(HDF5Error) -> (bytes: [UInt8], skippedFilters: UInt32) {
        let origin = offset.map { hsize_t(max($0, 0)) }
        var size: hsize_t = 0
        try check(H5Dget_chunk_storage_size(handle.id, origin, &size), "H5Dget_chunk_storage_size", file: filePath, object: path)
        guard size > 0, size <= hsize_t(max(limit, 0)) else {
            throw HDF5Error(.mismatch, call: "H5Dread_chunk", file: filePath, object: path,
                            detail: "the chunk at \(offset) states \(size) stored bytes, outside 1...\(limit)")
        }
        var mask: UInt32 = 0
        var bytes = [UInt8](repeating: 0, count: Int(size))
        try check(H5Dread_chunk(handle.id, ip_H5P_DEFAULT(), origin, &mask, &bytes), "H5Dread_chunk", file: filePath, object: path)
        return (bytes, mask)
    }
}
