import CHDF5

/// HDF5 dimension scales (the HDF5 High-Level `H5DS` API), as netCDF-4 uses them.
///
/// A dimension scale is a 1-D dataset marked `CLASS = "DIMENSION_SCALE"` with a `NAME`;
/// attaching it to axis *k* of another dataset names that axis and gives it coordinate
/// values. netCDF-4, h5netcdf and xarray read a scale whose `NAME` equals the dataset's
/// own name as a *coordinate variable*: `xarray.open_dataset(file, group=…,
/// engine="h5netcdf")` then shows named dimensions with their values instead of
/// `phony_dim_0…`. netCDF resolves dimension names in the variable's group and its
/// ancestors; xarray's `open_dataset(group:)` loads coordinate values only from the
/// group itself, so writers put the scales a group needs into that group.
extension H5Dataset {
    /// Marks this 1-D dataset as the dimension scale `name` (netCDF: a coordinate
    /// variable when `name` is the dataset's own name).
    public func makeDimensionScale(named name: String) throws(HDF5Error) {
        try check(H5DSset_scale(handle.id, name), "H5DSset_scale", file: filePath, object: path)
    }

    /// Attaches `scale` to axis `dimension` of this dataset.
    public func attach(_ scale: H5Dataset, toDimension dimension: Int) throws(HDF5Error) {
        try check(H5DSattach_scale(handle.id, scale.handle.id, UInt32(dimension)), "H5DSattach_scale", file: filePath, object: path)
    }

    /// Attaches `scales[k]` to axis `k`, for every axis.
    public func attach(_ scales: [H5Dataset]) throws(HDF5Error) {
        let rank = try shape().count
        guard rank == scales.count else {
            throw HDF5Error(.mismatch, call: "H5DSattach_scale", file: filePath, object: path,
                            detail: "\(scales.count) dimension scales for a dataset of rank \(rank)")
        }
        for (axis, scale) in scales.enumerated() { try attach(scale, toDimension: axis) }
    }

    /// Whether this dataset is a dimension scale.
    public var isDimensionScale: Bool { H5DSis_scale(handle.id) > 0 }

    /// The names of the dimension scales attached to each axis (nil: none).
    public func dimensionNames() throws(HDF5Error) -> [String?] {
        let rank = try shape().count
        return (0..<rank).map { axis -> String? in
            let attached = H5DSget_num_scales(handle.id, UInt32(axis))
            guard attached > 0 else { _ = HDF5Library.drainErrorStack(); return nil }
            var name: String?
            var index: Int32 = 0
            _ = withUnsafeMutablePointer(to: &name) { pointer in
                H5DSiterate_scales(handle.id, UInt32(axis), &index, { _, _, scale, data in
                    let length = H5DSget_scale_name(scale, nil, 0)
                    guard length > 0, length < 4096 else { return 1 }
                    var buffer = [CChar](repeating: 0, count: Int(length) + 1)
                    _ = H5DSget_scale_name(scale, &buffer, Int(length) + 1)
                    data?.assumingMemoryBound(to: String?.self).pointee = String(cString: buffer)
                    return 1
                }, pointer)
            }
            return name
        }
    }
}
