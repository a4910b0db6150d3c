import CHDF5
#if canImport(Glibc)
import Glibc
#endif

/// Checks made before a read allocates memory: sizes read from a file are untrusted.
///
/// A dataset's dataspace can declare any shape (10⁹ × 1000 costs a few bytes of
/// metadata); reading it would allocate what it declares. Every read therefore checks,
/// before allocating, that the element count does not overflow, that the bytes fit in
/// ``H5ReadLimit/maximumBytes``, and that a contiguous dataset stores as many bytes as it
/// declares (one that was never written, or whose size was edited, is refused).
public enum H5ReadLimit {
    /// Half the machine's physical memory: the most one read may allocate.
    public static var maximumBytes: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return 1 << 33 }
        let (total, overflow) = pages.multipliedReportingOverflow(by: size)
        return overflow ? Int.max / 2 : total / 2
    }
}

extension H5Dataset {
    /// The element count of a selection `count`, checked against overflow and the read
    /// limit for elements of `elementSize` bytes; for contiguous storage, also against
    /// the bytes the file holds.
    func checkedElements(_ count: [hsize_t], elementSize: Int) throws(HDF5Error) -> Int {
        var elements = 1
        for extent in count {
            guard extent <= hsize_t(Int.max) else {
                throw HDF5Error(.mismatch, call: "H5Dread", file: filePath, object: path, detail: "extent \(extent) is not a size")
            }
            let (next, overflow) = elements.multipliedReportingOverflow(by: Int(extent))
            guard !overflow else {
                throw HDF5Error(.mismatch, call: "H5Dread", file: filePath, object: path,
                                detail: "shape \(count.map(String.init).joined(separator: "×")) overflows")
            }
            elements = next
        }
        let (bytes, overflow) = elements.multipliedReportingOverflow(by: max(1, elementSize))
        let limit = H5ReadLimit.maximumBytes
        guard !overflow, bytes <= limit else {
            throw HDF5Error(.mismatch, call: "H5Dread", file: filePath, object: path,
                            detail: "reading \(count.map(String.init).joined(separator: "×")) elements needs more than \(limit) bytes (half the memory)")
        }
        // A dataset whose space is not (fully) allocated reads as fill values: cheap to
        // declare, costly to read. Beyond 64 MiB that is refused rather than materialised.
        if bytes > 1 << 26 {
            var status = H5D_SPACE_STATUS_ERROR
            if H5Dget_space_status(handle.id, &status) >= 0, status != H5D_SPACE_STATUS_ALLOCATED {
                throw HDF5Error(.mismatch, call: "H5Dread", file: filePath, object: path,
                                detail: "declares \(count.map(String.init).joined(separator: "×")) elements (\(bytes) bytes) but stores \(storageSize()) (never written in full, or corrupted)")
            }
        }
        if elements > 0, try isContiguous() {
            let all = try shape()
            let declared = all.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
            let stored = storageSize()
            let storedElement = try storedElementSize()
            let (needed, neededOverflow) = declared.multipliedReportingOverflow(by: max(1, storedElement))
            if neededOverflow || stored < needed {
                throw HDF5Error(.mismatch, call: "H5Dread", file: filePath, object: path,
                                detail: "declares \(all.map(String.init).joined(separator: "×")) elements but stores \(stored) bytes (never written, or corrupted)")
            }
        }
        return elements
    }

    /// Whether the raw data is stored contiguously (not chunked or compact).
    func isContiguous() throws(HDF5Error) -> Bool {
        let plist = ObjectHandle.propertyList(try check(H5Dget_create_plist(handle.id), "H5Dget_create_plist", file: filePath, object: path))
        return H5Pget_layout(plist.id) == H5D_CONTIGUOUS
    }
}
