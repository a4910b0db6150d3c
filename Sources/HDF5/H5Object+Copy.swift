import CHDF5

extension H5Object {
    /// Copies every attribute of this object onto `target` (an object of this or another
    /// file): the same names, stored types, shapes and values, strings in their own
    /// character set and length kind (no conversion). An attribute `target` already has
    /// is an error.
    public func copyAttributes(to target: some H5Object) throws(HDF5Error) {
        for name in try attributeNames() {
            let where_ = "\(path)@\(name)"
            let attribute = ObjectHandle.attribute(try check(H5Aopen(handle.id, name, ip_H5P_DEFAULT()), "H5Aopen", file: filePath, object: where_))
            // The attribute's own type, as a memory type (variable-length parts become pointers).
            let type = ObjectHandle.datatype(try check(H5Aget_type(attribute.id), "H5Aget_type", file: filePath, object: where_))
            let space = ObjectHandle.dataspace(try check(H5Aget_space(attribute.id), "H5Aget_space", file: filePath, object: where_))
            let points = Int(try check(H5Sget_simple_extent_npoints(space.id), "H5Sget_simple_extent_npoints", file: filePath, object: where_))
            let elementSize = Int(H5Tget_size(type.id))
            // Attributes live in object headers (at most 64 KiB) or dense storage; a size
            // beyond 1 GiB is a damaged file, not an attribute.
            guard points >= 0, elementSize > 0, points.multipliedReportingOverflow(by: elementSize).partialValue <= 1 << 30 else {
                throw HDF5Error(.mismatch, call: "H5Aread", file: filePath, object: where_,
                                detail: "declares \(points) elements of \(elementSize) bytes")
            }
            var buffer = [UInt8](repeating: 0, count: max(1, points * elementSize))
            try check(H5Aread(attribute.id, type.id, &buffer), "H5Aread", file: filePath, object: where_)
            let variable = H5Tis_variable_str(type.id) > 0 || H5Tdetect_class(type.id, H5T_VLEN) > 0
            defer { if variable { _ = H5Dvlen_reclaim(type.id, space.id, ip_H5P_DEFAULT(), &buffer) } }
            let copy = ObjectHandle.attribute(try check(H5Acreate2(target.handle.id, name, type.id, space.id, ip_H5P_DEFAULT(), ip_H5P_DEFAULT()),
                                                        "H5Acreate2", file: target.filePath, object: "\(target.path)@\(name)"))
            try check(H5Awrite(copy.id, type.id, buffer), "H5Awrite", file: target.filePath, object: "\(target.path)@\(name)")
        }
    }
}

extension H5Container {
    /// Copies the child `name` (a dataset with its attributes, or a group with everything
    /// under it) into `target` under the same name, layout and filters unchanged
    /// (`H5Ocopy`).
    public func copyObject(_ name: String, to target: some H5Container) throws(HDF5Error) {
        HDF5Library.ensureInitialised()
        try check(H5Ocopy(handle.id, name, target.handle.id, name, ip_H5P_DEFAULT(), ip_H5P_DEFAULT()),
                  "H5Ocopy", file: filePath, object: childPath(name))
    }
}

extension H5File {
    /// Whether this HDF5 library has zlib's deflate filter, for encoding and decoding.
    public static var deflateAvailable: Bool {
        HDF5Library.ensureInitialised()
        guard H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0 else { return false }
        var flags: UInt32 = 0
        guard H5Zget_filter_info(H5Z_FILTER_DEFLATE, &flags) >= 0 else { return false }
        return flags & UInt32(H5Z_FILTER_CONFIG_ENCODE_ENABLED) != 0 && flags & UInt32(H5Z_FILTER_CONFIG_DECODE_ENABLED) != 0
    }
}
