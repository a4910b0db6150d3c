import CHDF5
import CHDF5Guard

/// Attributes: small named values on any file, group or dataset.
///
/// Strings are stored as variable-length UTF-8 (h5py reads them back as `str`);
/// numbers as scalars, arrays as 1-D simple dataspaces. Setting an attribute that
/// exists replaces it.
extension H5Object {
    /// The names of this object's attributes, in name order.
    public func attributeNames() throws(HDF5Error) -> [String] {
        HDF5Library.ensureInitialised()
        var names: [String] = []
        var index: hsize_t = 0
        let status = withUnsafeMutablePointer(to: &names) { box in
            H5Aiterate2(handle.id, H5_INDEX_NAME, H5_ITER_INC, &index, { _, name, _, client in
                guard let name, let client else { return 0 }
                client.assumingMemoryBound(to: [String].self).pointee.append(String(cString: name))
                return 0
            }, box)
        }
        try check(status, "H5Aiterate2", file: filePath, object: path)
        return names
    }

    /// Whether the attribute exists.
    public func hasAttribute(_ name: String) -> Bool {
        HDF5Library.ensureInitialised()
        let exists = H5Aexists(handle.id, name)
        if exists < 0 { _ = HDF5Library.drainErrorStack() }
        return exists > 0
    }

    // MARK: Writing

    /// Sets a UTF-8 string attribute.
    public func setAttribute(_ name: String, _ value: String) throws(HDF5Error) {
        let type = try Self.utf8StringType(file: filePath)
        let space = ObjectHandle.dataspace(try check(H5Screate(H5S_SCALAR), "H5Screate", file: filePath, object: path))
        let attribute = try replaceAttribute(name, type: type, space: space)
        let status = value.withCString { cString -> herr_t in
            var pointer: UnsafePointer<CChar>? = cString
            return H5Awrite(attribute.id, type.id, &pointer)
        }
        try check(status, "H5Awrite", file: filePath, object: "\(path)@\(name)")
    }

    /// Sets a fixed-length ASCII string attribute (null-terminated), as MATLAB writes
    /// `MATLAB_class`; readers that expect fixed-length strings need this form.
    public func setFixedStringAttribute(_ name: String, _ value: String) throws(HDF5Error) {
        HDF5Library.ensureInitialised()
        let bytes = Array(value.utf8)
        let type = ObjectHandle.datatype(try check(H5Tcopy(ip_H5T_C_S1()), "H5Tcopy", file: filePath))
        try check(H5Tset_size(type.id, max(1, bytes.count)), "H5Tset_size", file: filePath)
        try check(H5Tset_strpad(type.id, H5T_STR_NULLTERM), "H5Tset_strpad", file: filePath)
        let space = ObjectHandle.dataspace(try check(H5Screate(H5S_SCALAR), "H5Screate", file: filePath, object: path))
        let attribute = try replaceAttribute(name, type: type, space: space)
        try check(H5Awrite(attribute.id, type.id, bytes.isEmpty ? [0] : bytes), "H5Awrite", file: filePath, object: "\(path)@\(name)")
    }

    /// Sets a numeric scalar attribute.
    public func setAttribute<T: H5Element>(_ name: String, _ value: T) throws(HDF5Error) {
        let type = try T.memoryType()
        let space = ObjectHandle.dataspace(try check(H5Screate(H5S_SCALAR), "H5Screate", file: filePath, object: path))
        let attribute = try replaceAttribute(name, type: type, space: space)
        var copy = value
        try check(H5Awrite(attribute.id, type.id, &copy), "H5Awrite", file: filePath, object: "\(path)@\(name)")
    }

    /// Sets a 1-D numeric array attribute.
    public func setAttribute<T: H5Element>(_ name: String, _ values: [T]) throws(HDF5Error) {
        let type = try T.memoryType()
        var dims = [hsize_t(values.count)]
        let space = ObjectHandle.dataspace(try check(H5Screate_simple(1, &dims, nil), "H5Screate_simple", file: filePath, object: path))
        let attribute = try replaceAttribute(name, type: type, space: space)
        if values.isEmpty { return }
        let status = values.withUnsafeBytes { H5Awrite(attribute.id, type.id, $0.baseAddress) }
        try check(status, "H5Awrite", file: filePath, object: "\(path)@\(name)")
    }

    private func replaceAttribute(_ name: String, type: ObjectHandle, space: ObjectHandle) throws(HDF5Error) -> ObjectHandle {
        if hasAttribute(name) {
            try check(H5Adelete(handle.id, name), "H5Adelete", file: filePath, object: "\(path)@\(name)")
        }
        let id = try check(H5Acreate2(handle.id, name, type.id, space.id, ip_H5P_DEFAULT(), ip_H5P_DEFAULT()),
                           "H5Acreate2", file: filePath, object: "\(path)@\(name)")
        return .attribute(id)
    }

    static func utf8StringType(file: String) throws(HDF5Error) -> ObjectHandle {
        HDF5Library.ensureInitialised()
        let type = ObjectHandle.datatype(try check(H5Tcopy(ip_H5T_C_S1()), "H5Tcopy", file: file))
        try check(H5Tset_size(type.id, ip_H5T_VARIABLE()), "H5Tset_size", file: file)
        try check(H5Tset_cset(type.id, H5T_CSET_UTF8), "H5Tset_cset", file: file)
        return type
    }

    // MARK: Reading

    private func openAttribute(_ name: String) throws(HDF5Error) -> ObjectHandle {
        guard hasAttribute(name) else {
            throw HDF5Error(.objectNotFound, call: "H5Aopen", file: filePath, object: "\(path)@\(name)", detail: "no such attribute")
        }
        return .attribute(try check(H5Aopen(handle.id, name, ip_H5P_DEFAULT()), "H5Aopen", file: filePath, object: "\(path)@\(name)"))
    }

    private func elementCount(_ attribute: ObjectHandle, _ name: String) throws(HDF5Error) -> Int {
        let space = ObjectHandle.dataspace(try check(H5Aget_space(attribute.id), "H5Aget_space", file: filePath, object: "\(path)@\(name)"))
        return Int(try check(H5Sget_simple_extent_npoints(space.id), "H5Sget_simple_extent_npoints", file: filePath, object: "\(path)@\(name)"))
    }

    /// Reads a string attribute, variable- or fixed-length (as MATLAB and numpy write).
    public func stringAttribute(_ name: String) throws(HDF5Error) -> String {
        let object = "\(path)@\(name)"
        let attribute = try openAttribute(name)
        let fileType = ObjectHandle.datatype(try check(H5Aget_type(attribute.id), "H5Aget_type", file: filePath, object: object))
        guard H5Tget_class(fileType.id) == H5T_STRING else {
            throw HDF5Error(.mismatch, call: "H5Aread", file: filePath, object: object, detail: "attribute is not a string")
        }
        // One string is read into one slot: a dataspace of any other size (a corrupted or
        // foreign file) would make HDF5 write past it.
        let count = try elementCount(attribute, name)
        guard count == 1 else {
            throw HDF5Error(.mismatch, call: "H5Aread", file: filePath, object: object, detail: "\(count) strings where one is expected")
        }
        if H5Tis_variable_str(fileType.id) > 0 {
            // Read in the file's character set: HDF5 does not convert ASCII to UTF-8 (h5py
            // writes ASCII when the text is, as Keras's model_config).
            let memType = try Self.utf8StringType(file: filePath)
            if H5Tget_cset(fileType.id) == H5T_CSET_ASCII { try check(H5Tset_cset(memType.id, H5T_CSET_ASCII), "H5Tset_cset", file: filePath) }
            var pointer: UnsafeMutablePointer<CChar>? = nil
            // HDF5 follows the string into the file's global heap, which it does not
            // validate: a deadline turns a loop on a damaged heap into an error.
            ip_guard_set_file(filePath)
            ip_guard_deadline(10)
            let status = H5Aread(attribute.id, memType.id, &pointer)
            ip_guard_deadline(0)
            try check(status, "H5Aread", file: filePath, object: object)
            defer { if let pointer { H5free_memory(pointer) } }
            return pointer.map { String(cString: $0) } ?? ""
        }
        let size = H5Tget_size(fileType.id)
        guard size > 0, size < 1 << 26 else {
            throw HDF5Error(.mismatch, call: "H5Aread", file: filePath, object: object, detail: "a fixed-length string of \(size) bytes")
        }
        var bytes = [UInt8](repeating: 0, count: size + 1)
        try check(H5Aread(attribute.id, fileType.id, &bytes), "H5Aread", file: filePath, object: object)
        let end = bytes.firstIndex(of: 0) ?? size
        return String(decoding: bytes[..<end], as: UTF8.self)
    }

    /// Reads a numeric attribute as a scalar (the first element if it is an array).
    public func attribute<T: H5Element>(_ name: String, as: T.Type = T.self) throws(HDF5Error) -> T {
        let values = try arrayAttribute(name, as: T.self)
        guard let first = values.first else {
            throw HDF5Error(.mismatch, call: "H5Aread", file: filePath, object: "\(path)@\(name)", detail: "attribute is empty")
        }
        return first
    }

    /// Reads a numeric attribute as an array, converting to `T`.
    public func arrayAttribute<T: H5Element>(_ name: String, as: T.Type = T.self) throws(HDF5Error) -> [T] {
        let object = "\(path)@\(name)"
        let attribute = try openAttribute(name)
        let fileType = ObjectHandle.datatype(try check(H5Aget_type(attribute.id), "H5Aget_type", file: filePath, object: object))
        let typeClass = H5Tget_class(fileType.id)
        guard typeClass == H5T_INTEGER || typeClass == H5T_FLOAT else {
            throw HDF5Error(.mismatch, call: "H5Aread", file: filePath, object: object, detail: "attribute is not numeric")
        }
        let count = try elementCount(attribute, name)
        guard count <= 1 << 24 else {
            throw HDF5Error(.mismatch, call: "H5Aread", file: filePath, object: object, detail: "\(count) values in one attribute")
        }
        let type = try T.memoryType()
        var failed = false
        let values = [T](unsafeUninitializedCapacity: count) { buffer, initialised in
            if count > 0 { failed = H5Aread(attribute.id, type.id, buffer.baseAddress) < 0 }
            initialised = failed ? 0 : count
        }
        if failed { try check(-1, "H5Aread", file: filePath, object: object) }
        return values
    }
}
