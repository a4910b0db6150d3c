import CHDF5

/// How a new dataset is laid out on disk.
public struct DatasetOptions: Sendable {
    /// Chunk shape (same rank as the dataset). `nil`: contiguous, unless the dataset is
    /// extendible or compressed, which need chunks; then one row of the first axis per
    /// chunk (`[1, rest...]`), i.e. one logged epoch per chunk for activations.
    public var chunk: [Int]?
    /// Make the first axis unlimited so that ``H5Dataset/append(_:rows:)`` can grow it.
    public var extendible: Bool
    /// Deflate (zlib) level 1–9, or `nil` for no compression.
    public var deflate: Int?
    /// Byte-shuffle before deflate (helps floats compress); ignored without deflate.
    public var shuffle: Bool
    /// Contiguous storage allocated when the dataset is created, and no modification
    /// times: writing rows later changes no metadata at all (only raw bytes at fixed
    /// offsets), which is what makes a file safe against being killed mid-write.
    public var preallocated: Bool
    /// A fill value written at allocation (converted to the element type); `nil` leaves
    /// unwritten preallocated storage as it is on disk (zeros in a new file).
    public var fillValue: Double?

    public init(chunk: [Int]? = nil, extendible: Bool = false, deflate: Int? = nil, shuffle: Bool = true,
                preallocated: Bool = false, fillValue: Double? = nil) {
        self.chunk = chunk
        self.extendible = extendible
        self.deflate = deflate
        self.shuffle = shuffle
        self.preallocated = preallocated
        self.fillValue = fillValue
    }

    /// Fixed-size contiguous storage allocated up front (see ``preallocated``).
    public static func preallocated(fill: Double? = nil) -> DatasetOptions {
        DatasetOptions(preallocated: true, fillValue: fill)
    }

    /// An extendible dataset, optionally compressed, chunked one first-axis row per chunk.
    public static func extendible(deflate: Int? = nil) -> DatasetOptions {
        DatasetOptions(extendible: true, deflate: deflate)
    }
}

/// A dataset inside an HDF5 file: typed, shaped, optionally extendible along axis 0.
public struct H5Dataset: H5Object {
    public let handle: ObjectHandle
    public let filePath: String
    public let path: String

    /// The current shape, e.g. `[epoch, sample, unit]`.
    public func shape() throws(HDF5Error) -> [Int] {
        try dims().current.map { Int($0) }
    }

    /// The maximum shape; `nil` entries are unlimited.
    public func maxShape() throws(HDF5Error) -> [Int?] {
        try dims().maximum.map { $0 == ip_H5S_UNLIMITED() || $0 > hsize_t(Int.max) ? nil : Int($0) }
    }

    /// The number of elements of one stored element in bytes, e.g. 2 for float16.
    public func storedElementSize() throws(HDF5Error) -> Int {
        let type = ObjectHandle.datatype(try check(H5Dget_type(handle.id), "H5Dget_type", file: filePath, object: path))
        return Int(H5Tget_size(type.id))
    }

    /// Bytes this dataset occupies in the file (after compression); clamped to `Int.max`,
    /// since a damaged file may state any 64-bit size.
    public func storageSize() -> Int {
        Int(clamping: H5Dget_storage_size(handle.id))
    }

    private func dims() throws(HDF5Error) -> (current: [hsize_t], maximum: [hsize_t]) {
        HDF5Library.ensureInitialised()
        let space = ObjectHandle.dataspace(try check(H5Dget_space(handle.id), "H5Dget_space", file: filePath, object: path))
        let rank = Int(try check(H5Sget_simple_extent_ndims(space.id), "H5Sget_simple_extent_ndims", file: filePath, object: path))
        var current = [hsize_t](repeating: 0, count: rank)
        var maximum = [hsize_t](repeating: 0, count: rank)
        try check(H5Sget_simple_extent_dims(space.id, &current, &maximum), "H5Sget_simple_extent_dims", file: filePath, object: path)
        // Extents come from the file: beyond Int.max they are corrupt, not sizes.
        if let bad = current.first(where: { $0 > hsize_t(Int.max) }) {
            throw HDF5Error(.mismatch, call: "H5Sget_simple_extent_dims", file: filePath, object: path,
                            detail: "extent \(bad) is not a size (corrupted dataspace)")
        }
        return (current, maximum)
    }

    /// Writes this dataset's buffered data and metadata to disk (`H5Dflush`).
    public func flush() throws(HDF5Error) {
        try check(H5Dflush(handle.id), "H5Dflush", file: filePath, object: path)
    }

    // MARK: Writing

    /// Writes the whole dataset; `values.count` must equal the product of the shape.
    public func write<T: H5Element>(_ values: [T]) throws(HDF5Error) {
        let count = try shape().reduce(1, *)
        guard values.count == count else {
            throw HDF5Error(.mismatch, call: "H5Dwrite", file: filePath, object: path,
                            detail: "\(values.count) values for a dataset of \(count) elements")
        }
        let type = try T.memoryType()
        let status = values.withUnsafeBytes { H5Dwrite(handle.id, type.id, ip_H5S_ALL(), ip_H5S_ALL(), ip_H5P_DEFAULT(), $0.baseAddress) }
        try check(status, "H5Dwrite", file: filePath, object: path)
    }

    /// Appends `rows` entries along the unlimited first axis.
    ///
    /// `values` holds `rows × (product of the other axes)` elements, row-major.
    /// - Complexity: one extent change and one hyperslab write; O(values.count).
    public func append<T: H5Element>(_ values: UnsafeBufferPointer<T>, rows: Int) throws(HDF5Error) {
        var (current, maximum) = try dims()
        guard !current.isEmpty, maximum[0] == ip_H5S_UNLIMITED() else {
            throw HDF5Error(.mismatch, call: "append", file: filePath, object: path,
                            detail: "dataset is not extendible along its first axis")
        }
        let rowSize = current.dropFirst().reduce(1) { $0 * Int($1) }
        guard values.count == rows * rowSize else {
            throw HDF5Error(.mismatch, call: "append", file: filePath, object: path,
                            detail: "\(values.count) values for \(rows) rows of \(rowSize) elements")
        }
        let start = current[0]
        current[0] += hsize_t(rows)
        try check(H5Dset_extent(handle.id, current), "H5Dset_extent", file: filePath, object: path)
        var offset = [hsize_t](repeating: 0, count: current.count)
        offset[0] = start
        var count = current
        count[0] = hsize_t(rows)
        try writeHyperslab(values, offset: offset, count: count)
    }

    /// Appends rows from an array; see ``append(_:rows:)-(UnsafeBufferPointer<T>,_)``.
    public func append<T: H5Element>(_ values: [T], rows: Int) throws(HDF5Error) {
        try values.withUnsafeBufferPointer { (buffer) throws(HDF5Error) in try append(buffer, rows: rows) }
    }

    /// Overwrites row `index` of the first axis (which must already exist).
    public func writeRow<T: H5Element>(_ index: Int, _ values: [T]) throws(HDF5Error) {
        try values.withUnsafeBufferPointer { (buffer) throws(HDF5Error) in try writeRows(at: index, buffer) }
    }

    /// Overwrites the rows from `start` on with `values` (a whole number of rows).
    public func writeRows<T: H5Element>(at start: Int, _ values: UnsafeBufferPointer<T>) throws(HDF5Error) {
        let current = try dims().current
        let rowSize = current.dropFirst().reduce(1) { $0 * Int($1) }
        guard !current.isEmpty, rowSize > 0, values.count % rowSize == 0 else {
            throw HDF5Error(.mismatch, call: "writeRows", file: filePath, object: path,
                            detail: "\(values.count) values are not whole rows of \(rowSize)")
        }
        let rows = values.count / rowSize
        guard start >= 0, start + rows <= Int(current[0]) else {
            throw HDF5Error(.mismatch, call: "writeRows", file: filePath, object: path,
                            detail: "rows \(start)..<\(start + rows) outside 0..<\(current[0])")
        }
        var offset = [hsize_t](repeating: 0, count: current.count)
        offset[0] = hsize_t(start)
        var count = current
        count[0] = hsize_t(rows)
        try writeHyperslab(values, offset: offset, count: count)
    }

    /// Shrinks or grows the first axis to `rows` (e.g. to cut a partly written epoch).
    public func resizeFirstAxis(to rows: Int) throws(HDF5Error) {
        var current = try dims().current
        current[0] = hsize_t(rows)
        try check(H5Dset_extent(handle.id, current), "H5Dset_extent", file: filePath, object: path)
    }

    private func writeHyperslab<T: H5Element>(_ values: UnsafeBufferPointer<T>, offset: [hsize_t], count: [hsize_t]) throws(HDF5Error) {
        let elements = count.reduce(1) { $0 * Int($1) }
        guard values.count == elements else {
            throw HDF5Error(.mismatch, call: "H5Dwrite", file: filePath, object: path,
                            detail: "\(values.count) values for a selection of \(elements) elements")
        }
        let fileSpace = ObjectHandle.dataspace(try check(H5Dget_space(handle.id), "H5Dget_space", file: filePath, object: path))
        try check(H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, offset, nil, count, nil), "H5Sselect_hyperslab", file: filePath, object: path)
        let memSpace = ObjectHandle.dataspace(try check(H5Screate_simple(Int32(count.count), count, nil), "H5Screate_simple", file: filePath, object: path))
        let type = try T.memoryType()
        try check(H5Dwrite(handle.id, type.id, memSpace.id, fileSpace.id, ip_H5P_DEFAULT(), values.baseAddress),
                  "H5Dwrite", file: filePath, object: path)
    }

    // MARK: Reading

    /// Reads the whole dataset, converting to `T`; row-major.
    ///
    /// The shape is checked first (see ``H5ReadLimit``): a dataset that declares more
    /// than it stores or more than memory can hold is an error, not an allocation.
    public func read<T: H5Element>(as: T.Type = T.self) throws(HDF5Error) -> [T] {
        let count = try checkedElements(try dims().current, elementSize: MemoryLayout<T>.stride)
        let type = try T.memoryType()
        var failed = false
        let values = [T](unsafeUninitializedCapacity: count) { buffer, initialised in
            if count > 0 {
                failed = H5Dread(handle.id, type.id, ip_H5S_ALL(), ip_H5S_ALL(), ip_H5P_DEFAULT(), buffer.baseAddress) < 0
            }
            initialised = failed ? 0 : count
        }
        if failed { try check(-1, "H5Dread", file: filePath, object: path) }
        return values
    }

    /// Reads rows `range` of the first axis (e.g. one logged epoch), converting to `T`.
    public func readRows<T: H5Element>(_ range: Range<Int>, as: T.Type = T.self) throws(HDF5Error) -> [T] {
        let current = try dims().current
        guard !current.isEmpty, range.lowerBound >= 0, range.upperBound <= Int(current[0]) else {
            throw HDF5Error(.mismatch, call: "H5Dread", file: filePath, object: path,
                            detail: "rows \(range) outside 0..<\(current.first ?? 0)")
        }
        var offset = [hsize_t](repeating: 0, count: current.count)
        offset[0] = hsize_t(range.lowerBound)
        var count = current
        count[0] = hsize_t(range.count)
        let elements = try checkedElements(count, elementSize: MemoryLayout<T>.stride)
        if elements == 0 { return [] }
        let fileSpace = ObjectHandle.dataspace(try check(H5Dget_space(handle.id), "H5Dget_space", file: filePath, object: path))
        try check(H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, offset, nil, count, nil), "H5Sselect_hyperslab", file: filePath, object: path)
        let memSpace = ObjectHandle.dataspace(try check(H5Screate_simple(Int32(count.count), count, nil), "H5Screate_simple", file: filePath, object: path))
        let type = try T.memoryType()
        var failed = false
        let values = [T](unsafeUninitializedCapacity: elements) { buffer, initialised in
            failed = H5Dread(handle.id, type.id, memSpace.id, fileSpace.id, ip_H5P_DEFAULT(), buffer.baseAddress) < 0
            initialised = failed ? 0 : elements
        }
        if failed { try check(-1, "H5Dread", file: filePath, object: path) }
        return values
    }

    /// Reads one row of the first axis, e.g. `[sample, unit]` of logged epoch `index`.
    public func readRow<T: H5Element>(_ index: Int, as: T.Type = T.self) throws(HDF5Error) -> [T] {
        try readRows(index..<(index + 1), as: T.self)
    }
}

extension H5Container {
    /// Creates a dataset whose stored element type is `T`'s (e.g. `Float16` for half
    /// precision storage).
    ///
    /// - Parameters:
    ///   - shape: the initial shape; with `options.extendible` the first axis may be 0.
    public func createDataset<T: H5Element>(_ name: String, of: T.Type, shape: [Int],
                                            options: DatasetOptions = DatasetOptions()) throws(HDF5Error) -> H5Dataset {
        try createDataset(name, type: try T.memoryType(), shape: shape, options: options)
    }

    /// Creates a dataset of the stored type and shape of `source` (which may live in
    /// another file), laid out as `options` say; its data is copied separately
    /// (``H5Dataset/copyRows(from:rows:)``).
    public func createDataset(_ name: String, like source: H5Dataset, options: DatasetOptions) throws(HDF5Error) -> H5Dataset {
        let type = ObjectHandle.datatype(try check(H5Dget_type(source.handle.id), "H5Dget_type", file: source.filePath, object: source.path))
        return try createDataset(name, type: type, shape: try source.shape(), options: options)
    }

    func createDataset(_ name: String, type: ObjectHandle, shape: [Int], options: DatasetOptions) throws(HDF5Error) -> H5Dataset {
        let object = childPath(name)
        guard !shape.isEmpty || !options.extendible else {
            throw HDF5Error(.mismatch, call: "H5Dcreate2", file: filePath, object: object, detail: "a scalar cannot be extendible")
        }
        let current = shape.map { hsize_t($0) }
        var maximum = current
        if options.extendible { maximum[0] = ip_H5S_UNLIMITED() }
        let space = ObjectHandle.dataspace(try check(H5Screate_simple(Int32(shape.count), current, maximum),
                                                     "H5Screate_simple", file: filePath, object: object))
        let dcpl = ObjectHandle.propertyList(try check(H5Pcreate(ip_H5P_DATASET_CREATE()), "H5Pcreate", file: filePath, object: object))
        if options.preallocated {
            guard !options.extendible && options.deflate == nil && options.chunk == nil else {
                throw HDF5Error(.mismatch, call: "H5Dcreate2", file: filePath, object: object,
                                detail: "preallocated storage is contiguous: not extendible, chunked or compressed")
            }
            try check(H5Pset_layout(dcpl.id, H5D_CONTIGUOUS), "H5Pset_layout", file: filePath, object: object)
            try check(H5Pset_alloc_time(dcpl.id, H5D_ALLOC_TIME_EARLY), "H5Pset_alloc_time", file: filePath, object: object)
            try check(H5Pset_obj_track_times(dcpl.id, false), "H5Pset_obj_track_times", file: filePath, object: object)
            if var fill = options.fillValue {
                try check(H5Pset_fill_value(dcpl.id, ip_H5T_NATIVE_DOUBLE(), &fill), "H5Pset_fill_value", file: filePath, object: object)
                try check(H5Pset_fill_time(dcpl.id, H5D_FILL_TIME_ALLOC), "H5Pset_fill_time", file: filePath, object: object)
            } else {
                try check(H5Pset_fill_time(dcpl.id, H5D_FILL_TIME_NEVER), "H5Pset_fill_time", file: filePath, object: object)
            }
        }
        // No creation/modification times in object headers: the same data gives the same
        // bytes whenever it is written (files are compared byte for byte in the tests).
        try check(H5Pset_obj_track_times(dcpl.id, false), "H5Pset_obj_track_times", file: filePath, object: object)
        let needsChunks = options.extendible || options.deflate != nil || options.chunk != nil
        if needsChunks && !shape.isEmpty {
            var chunk = options.chunk ?? ([1] + shape.dropFirst())
            chunk = chunk.map { max($0, 1) }
            guard chunk.count == shape.count else {
                throw HDF5Error(.mismatch, call: "H5Pset_chunk", file: filePath, object: object,
                                detail: "chunk rank \(chunk.count) differs from dataset rank \(shape.count)")
            }
            try check(H5Pset_chunk(dcpl.id, Int32(chunk.count), chunk.map { hsize_t($0) }), "H5Pset_chunk", file: filePath, object: object)
            if let level = options.deflate {
                if options.shuffle { try check(H5Pset_shuffle(dcpl.id), "H5Pset_shuffle", file: filePath, object: object) }
                try check(H5Pset_deflate(dcpl.id, UInt32(min(max(level, 1), 9))), "H5Pset_deflate", file: filePath, object: object)
            }
        }
        let id = try check(H5Dcreate2(handle.id, name, type.id, space.id, ip_H5P_DEFAULT(), dcpl.id, ip_H5P_DEFAULT()),
                           "H5Dcreate2", file: filePath, object: object)
        return H5Dataset(handle: .dataset(id), filePath: filePath, path: object)
    }

    /// Creates a dataset holding `values` with the given shape (default: 1-D).
    @discardableResult
    public func writeDataset<T: H5Element>(_ name: String, _ values: [T], shape: [Int]? = nil,
                                           options: DatasetOptions = DatasetOptions()) throws(HDF5Error) -> H5Dataset {
        let dataset = try createDataset(name, of: T.self, shape: shape ?? [values.count], options: options)
        try dataset.write(values)
        return dataset
    }
}
