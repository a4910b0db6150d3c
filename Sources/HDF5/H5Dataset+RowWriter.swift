import CHDF5
import Glibc

/// Writes whole rows `[row, rest…]` of one dataset, again and again, at the lowest cost
/// the file allows.
///
/// A dataset whose rows are plain bytes at a fixed place in the file is written with
/// one `pwrite(2)` per call, at `H5Dget_offset + row × rowBytes`: the bytes `H5Dwrite`
/// would put there, without its selection, conversion and locking (about 3 µs a call
/// here, which a run recorder writing some fifty small rows per epoch felt). That takes
///
/// - contiguous storage, allocated (it has an offset) and lying inside the file;
/// - a stored type equal to `Element`'s in-memory type (no conversion, native order);
/// - a file HDF5 reaches through a POSIX descriptor (the default `sec2` driver);
/// - no raw-data sieve buffer on the file (`H5File.create(…, directRawWrites: true)`):
///   otherwise HDF5 could hold raw bytes of its own and write them back over ours.
///
/// Any other dataset is written through `H5Dwrite`, with the same result. Either way a
/// call has reached the operating system when it returns, in call order.
public struct H5RowWriter<Element: H5Element>: Sendable {
    public let dataset: H5Dataset
    /// Rows along the first axis, and elements per row.
    public let rows: Int
    public let rowElements: Int
    /// The descriptor and the byte offset of row 0, when the rows are written directly.
    let direct: (descriptor: Int32, offset: Int)?

    /// Whether rows go straight to the file with `pwrite` (see the type's conditions).
    public var writesDirectly: Bool { direct != nil }

    init(dataset: H5Dataset) throws(HDF5Error) {
        self.dataset = dataset
        let shape = try dataset.shape()
        guard let first = shape.first else {
            throw HDF5Error(.mismatch, call: "rowWriter", file: dataset.filePath, object: dataset.path, detail: "a scalar dataset has no rows")
        }
        // Extents come from the file (a resumed one may be damaged): products are checked.
        var elements = 1
        for extent in shape.dropFirst() {
            let product = elements.multipliedReportingOverflow(by: extent)
            guard !product.overflow else {
                throw HDF5Error(.mismatch, call: "rowWriter", file: dataset.filePath, object: dataset.path, detail: "rows of \(shape.dropFirst()) elements overflow")
            }
            elements = product.partialValue
        }
        let total = first.multipliedReportingOverflow(by: elements)
        let bytes = total.partialValue.multipliedReportingOverflow(by: MemoryLayout<Element>.size)
        rows = first
        rowElements = elements
        direct = total.overflow || bytes.overflow ? nil : H5RowWriter.directTarget(dataset, bytes: bytes.partialValue)
    }

    /// The descriptor and offset when every condition for direct writes holds; nil otherwise.
    private static func directTarget(_ dataset: H5Dataset, bytes: Int) -> (descriptor: Int32, offset: Int)? {
        defer { _ = HDF5Library.drainErrorStack() }
        let id = dataset.handle.id
        let dcpl = H5Dget_create_plist(id)
        guard dcpl >= 0 else { return nil }
        let layout = H5Pget_layout(dcpl)
        H5Pclose(dcpl)
        guard layout == H5D_CONTIGUOUS else { return nil }
        guard dataset.stores(Element.self) else { return nil }
        let address = H5Dget_offset(id)
        guard address != ip_HADDR_UNDEF(), address <= haddr_t(Int.max),
              hsize_t(bytes) == H5Dget_storage_size(id) else { return nil }
        let file = H5Iget_file_id(id)
        guard file >= 0 else { return nil }
        defer { H5Fclose(file) }
        let fapl = H5Fget_access_plist(file)
        guard fapl >= 0 else { return nil }
        var sieve = 1
        let sieveStatus = H5Pget_sieve_buf_size(fapl, &sieve)
        H5Pclose(fapl)
        guard sieveStatus >= 0, sieve == 0, let descriptor = fileDescriptor(file) else { return nil }
        // The rows must lie inside the file as it is: an offset from a damaged file is
        // not followed past its end.
        var status = stat()
        guard fstat(descriptor, &status) == 0, Int(address) <= Int(status.st_size) - bytes else { return nil }
        return (descriptor, Int(address))
    }

    /// Overwrites rows `start ..< start + values.count / rowElements` (whole rows).
    public func write(rows start: Int, _ values: UnsafeBufferPointer<Element>) throws(HDF5Error) {
        guard rowElements > 0, values.count % rowElements == 0, start >= 0, start + values.count / rowElements <= rows else {
            throw HDF5Error(.mismatch, call: "writeRows", file: dataset.filePath, object: dataset.path,
                            detail: "\(values.count) values at row \(start) are not whole rows of \(rowElements) within 0..<\(rows)")
        }
        guard let direct else {
            try dataset.writeRows(at: start, values)
            return
        }
        var written = 0
        let total = values.count * MemoryLayout<Element>.size
        guard let base = UnsafeRawPointer(values.baseAddress) else { return }
        let offset = direct.offset + start * rowElements * MemoryLayout<Element>.size
        while written < total {
            let result = pwrite(direct.descriptor, base + written, total - written, off_t(offset + written))
            if result < 0 {
                if errno == EINTR { continue }
                throw HDF5Error(.callFailed, call: "pwrite", file: dataset.filePath, object: dataset.path,
                                detail: String(cString: strerror(errno)))
            }
            written += result
        }
    }

    /// Overwrites row `index` (or the rows from it on) with `values`.
    public func write(row index: Int, _ values: [Element]) throws(HDF5Error) {
        try values.withUnsafeBufferPointer { (buffer) throws(HDF5Error) in try write(rows: index, buffer) }
    }
}

extension H5Dataset {
    /// A writer of this dataset's rows as `Element` (``H5RowWriter``).
    public func rowWriter<Element: H5Element>(of type: Element.Type = Element.self) throws(HDF5Error) -> H5RowWriter<Element> {
        try H5RowWriter(dataset: self)
    }
}
