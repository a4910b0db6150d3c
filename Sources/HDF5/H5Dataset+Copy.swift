import CHDF5

extension H5Dataset {
    /// Copies the first `rows` rows of `source` into this dataset's first `rows` rows,
    /// byte for byte in the stored type (no conversion: both must store the same type and
    /// the same row shape), in blocks of at most 64 MiB.
    public func copyRows(from source: H5Dataset, rows: Int) throws(HDF5Error) {
        let sourceShape = try source.shape(), targetShape = try shape()
        guard !sourceShape.isEmpty, sourceShape.count == targetShape.count, Array(sourceShape.dropFirst()) == Array(targetShape.dropFirst()),
              rows >= 0, rows <= sourceShape[0], rows <= targetShape[0] else {
            throw HDF5Error(.mismatch, call: "H5Dwrite", file: filePath, object: path,
                            detail: "cannot copy \(rows) rows of \(source.path) \(sourceShape) into \(targetShape)")
        }
        let type = ObjectHandle.datatype(try check(H5Dget_type(source.handle.id), "H5Dget_type", file: source.filePath, object: source.path))
        let targetType = ObjectHandle.datatype(try check(H5Dget_type(handle.id), "H5Dget_type", file: filePath, object: path))
        guard H5Tequal(type.id, targetType.id) > 0 else {
            throw HDF5Error(.mismatch, call: "H5Dwrite", file: filePath, object: path, detail: "stores another type than \(source.path)")
        }
        let elementSize = H5Tget_size(type.id)
        let rowElements = sourceShape.dropFirst().reduce(1, *)
        let rowBytes = max(1, rowElements * elementSize)
        let block = max(1, (64 << 20) / rowBytes)
        var start = 0
        while start < rows {
            let count = min(block, rows - start)
            var offset = [hsize_t](repeating: 0, count: sourceShape.count)
            offset[0] = hsize_t(start)
            var extent = sourceShape.map { hsize_t($0) }
            extent[0] = hsize_t(count)
            var buffer = [UInt8](repeating: 0, count: count * rowBytes)
            let memory = ObjectHandle.dataspace(try check(H5Screate_simple(Int32(extent.count), extent, nil), "H5Screate_simple", file: filePath, object: path))
            let from = ObjectHandle.dataspace(try check(H5Dget_space(source.handle.id), "H5Dget_space", file: source.filePath, object: source.path))
            try check(H5Sselect_hyperslab(from.id, H5S_SELECT_SET, offset, nil, extent, nil), "H5Sselect_hyperslab", file: source.filePath, object: source.path)
            try check(H5Dread(source.handle.id, type.id, memory.id, from.id, ip_H5P_DEFAULT(), &buffer), "H5Dread", file: source.filePath, object: source.path)
            let to = ObjectHandle.dataspace(try check(H5Dget_space(handle.id), "H5Dget_space", file: filePath, object: path))
            try check(H5Sselect_hyperslab(to.id, H5S_SELECT_SET, offset, nil, extent, nil), "H5Sselect_hyperslab", file: filePath, object: path)
            try check(H5Dwrite(handle.id, type.id, memory.id, to.id, ip_H5P_DEFAULT(), buffer), "H5Dwrite", file: filePath, object: path)
            start += count
        }
    }
}
