import CHDF5
import CHDF5Guard

extension H5Container {
    /// Creates a 1-D dataset of variable-length UTF-8 strings (what h5py writes for
    /// `h5py.string_dtype()`, netCDF-4 for `NC_STRING`, xarray reads as `str`).
    @discardableResult
    public func writeStrings(_ name: String, _ values: [String]) throws(HDF5Error) -> H5Dataset {
        let object = childPath(name)
        let type = try Self.utf8StringType(file: filePath)
        var dims = [hsize_t(values.count)]
        let space = ObjectHandle.dataspace(try check(H5Screate_simple(1, &dims, nil), "H5Screate_simple", file: filePath, object: object))
        let dcpl = ObjectHandle.propertyList(try check(H5Pcreate(ip_H5P_DATASET_CREATE()), "H5Pcreate", file: filePath, object: object))
        try check(H5Pset_obj_track_times(dcpl.id, false), "H5Pset_obj_track_times", file: filePath, object: object)
        let id = try check(H5Dcreate2(handle.id, name, type.id, space.id, ip_H5P_DEFAULT(), dcpl.id, ip_H5P_DEFAULT()),
                           "H5Dcreate2", file: filePath, object: object)
        let dataset = H5Dataset(handle: .dataset(id), filePath: filePath, path: object)
        guard !values.isEmpty else { return dataset }
        // The C strings must outlive H5Dwrite: copy them into one buffer first.
        var bytes: [CChar] = []
        var offsets: [Int] = []
        for value in values {
            offsets.append(bytes.count)
            bytes.append(contentsOf: value.utf8CString)
        }
        let status = bytes.withUnsafeBufferPointer { buffer -> herr_t in
            var pointers = offsets.map { Optional(buffer.baseAddress! + $0) }
            return H5Dwrite(id, type.id, ip_H5S_ALL(), ip_H5S_ALL(), ip_H5P_DEFAULT(), &pointers)
        }
        try check(status, "H5Dwrite", file: filePath, object: object)
        return dataset
    }
}

extension H5Dataset {
    /// Reads a 1-D dataset of strings, variable- or fixed-length.
    ///
    /// Sizes are checked before allocation (see ``H5ReadLimit``); variable-length strings
    /// are read under the same deadline as string attributes, since HDF5 follows them into
    /// a global heap it does not validate.
    public func readStrings() throws(HDF5Error) -> [String] {
        let fileType = ObjectHandle.datatype(try check(H5Dget_type(handle.id), "H5Dget_type", file: filePath, object: path))
        guard H5Tget_class(fileType.id) == H5T_STRING else {
            throw HDF5Error(.mismatch, call: "H5Dread", file: filePath, object: path, detail: "dataset does not hold strings")
        }
        let shape = try self.shape()
        guard shape.count == 1 else {
            throw HDF5Error(.mismatch, call: "H5Dread", file: filePath, object: path, detail: "strings of rank \(shape.count) where a list is expected")
        }
        if H5Tis_variable_str(fileType.id) > 0 {
            let count = try checkedElements([hsize_t(shape[0])], elementSize: MemoryLayout<UnsafeMutablePointer<CChar>?>.stride)
            guard count > 0 else { return [] }
            let memType = try Self.utf8StringType(file: filePath)
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            ip_guard_set_file(filePath)
            ip_guard_deadline(10)
            let status = H5Dread(handle.id, memType.id, ip_H5S_ALL(), ip_H5S_ALL(), ip_H5P_DEFAULT(), &pointers)
            ip_guard_deadline(0)
            defer { for pointer in pointers { if let pointer { H5free_memory(pointer) } } }
            try check(status, "H5Dread", file: filePath, object: path)
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        let size = H5Tget_size(fileType.id)
        guard size > 0, size < 1 << 16 else {
            throw HDF5Error(.mismatch, call: "H5Dread", file: filePath, object: path, detail: "fixed-length strings of \(size) bytes")
        }
        let count = try checkedElements([hsize_t(shape[0])], elementSize: size)
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count * size)
        try check(H5Dread(handle.id, fileType.id, ip_H5S_ALL(), ip_H5S_ALL(), ip_H5P_DEFAULT(), &bytes), "H5Dread", file: filePath, object: path)
        return (0..<count).map { i in
            let slice = bytes[(i * size)..<((i + 1) * size)]
            let end = slice.firstIndex(of: 0) ?? slice.endIndex
            return String(decoding: slice[slice.startIndex..<end], as: UTF8.self)
        }
    }
}
