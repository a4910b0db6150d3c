import Foundation
import Networks

/// The values of an ONNX `TensorProto` (an initializer or a `Constant`), checked: the
/// declared dims must be sizes whose product is the number of values present, in
/// `raw_data` (little-endian) or the typed repeated fields.
struct ONNXTensor {
    var dims: [Int]
    var values: [Double]

    /// Element counts above this are refused before anything is allocated (2^28 values,
    /// the most weights a model may hold: `ModelBudget.maximumParameters`).
    static let maximumCount = ModelBudget.maximumParameters

    init(_ proto: Onnx_TensorProto, file: String, what: String) throws(ModelImportError) {
        var count = 1
        for dim in proto.dims {
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(dim))
            guard dim >= 0, !overflow, product <= Self.maximumCount else {
                throw ModelImportError(file: file, "\(what) has dims \(proto.dims), not a valid size")
            }
            count = product
        }
        let shape = proto.dims.map { Int($0) }
        let values: [Double]
        // Bytes per element of the supported types; an external file is read only for that many bytes.
        let width = [1: 4, 11: 8, 10: 2, 7: 8, 6: 4][Int(proto.dataType)] ?? 0
        let raw = proto.dataLocation == .external
            ? try Self.externalData(proto, file: file, what: what, expected: count * width) : proto.rawData
        func fromRaw(width: Int, _ decode: (UInt64) -> Double) throws(ModelImportError) -> [Double] {
            guard raw.count == count * width else {
                throw ModelImportError(file: file, "\(what): dims \(shape) need \(count * width) bytes, raw_data has \(raw.count)")
            }
            var out = [Double](repeating: 0, count: count)
            raw.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
                for i in 0..<count {
                    var bits: UInt64 = 0
                    for b in (0..<width).reversed() { bits = bits << 8 | UInt64(bytes[i * width + b]) }
                    out[i] = decode(bits)
                }
            }
            return out
        }
        func typed(_ list: [Double]) throws(ModelImportError) -> [Double] {
            guard list.count == count else {
                throw ModelImportError(file: file, "\(what): dims \(shape) need \(count) values, the tensor holds \(list.count)")
            }
            return list
        }
        switch proto.dataType {
        case 1:  // FLOAT
            values = raw.isEmpty && count > 0 ? try typed(proto.floatData.map(Double.init)) : try fromRaw(width: 4) { Double(Float(bitPattern: UInt32(truncatingIfNeeded: $0))) }
        case 11:  // DOUBLE
            values = raw.isEmpty && count > 0 ? try typed(proto.doubleData) : try fromRaw(width: 8) { Double(bitPattern: $0) }
        case 10:  // FLOAT16: int32_data holds the bit patterns
            values = raw.isEmpty && count > 0
                ? try typed(proto.int32Data.map { Double(Float(Float16(bitPattern: UInt16(truncatingIfNeeded: $0)))) })
                : try fromRaw(width: 2) { Double(Float(Float16(bitPattern: UInt16(truncatingIfNeeded: $0)))) }
        case 7:  // INT64
            values = raw.isEmpty && count > 0 ? try typed(proto.int64Data.map(Double.init)) : try fromRaw(width: 8) { Double(Int64(bitPattern: $0)) }
        case 6:  // INT32
            values = raw.isEmpty && count > 0 ? try typed(proto.int32Data.map(Double.init)) : try fromRaw(width: 4) { Double(Int32(truncatingIfNeeded: $0)) }
        default:
            throw ModelImportError(file: file, "\(what) has element type \(proto.dataType) (float, double, float16, int32 and int64 are supported)")
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw ModelImportError(file: file, "\(what) holds a non-finite value (\(values[bad]) at element \(bad))")
        }
        // Every floating-point tensor becomes 32-bit floats: a double beyond their range would be infinite.
        if [1, 10, 11].contains(proto.dataType), let bad = values.firstIndex(where: { abs($0) > Double(Float.greatestFiniteMagnitude) }) {
            throw ModelImportError(file: file, "\(what) holds \(values[bad]) at element \(bad), beyond the range of 32-bit floats")
        }
        self.dims = shape
        self.values = values
    }

    /// The bytes of a tensor stored outside the model (`torch.onnx.export` writes weights
    /// to `<model>.onnx.data` beside it): `location` must name a file in the model's own
    /// folder (a plain name, never a path), `offset` and `length` must lie within it.
    /// - Parameter expected: the bytes the tensor's dims and type need; a `length` that
    ///   differs is refused before anything is read.
    static func externalData(_ proto: Onnx_TensorProto, file: String, what: String, expected: Int) throws(ModelImportError) -> Data {
        var entries: [String: String] = [:]
        for entry in proto.externalData { entries[entry.key] = entry.value }
        guard let location = entries["location"], !location.isEmpty, location != ".", location != "..",
              !location.contains("/"), !location.contains("\0"), location.utf8.count <= 255 else {
            throw ModelImportError(file: file, "\(what): external data at '\(entries["location"] ?? "")'; only a file beside the model, named without a folder, is read")
        }
        let folder = (file as NSString).deletingLastPathComponent
        let path = folder.isEmpty ? location : folder + "/" + location
        guard (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType == .typeRegular,
              let handle = FileHandle(forReadingAtPath: path) else {
            throw ModelImportError(file: file, "\(what): its weights are in '\(location)' beside the model, which cannot be read (copy it along with the .onnx file)")
        }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()).map { Int($0) } ?? 0
        let offset = Int(entries["offset"] ?? "0") ?? -1
        let length = entries["length"].map { Int($0) ?? -1 } ?? (size - max(offset, 0))
        guard offset >= 0, length >= 0, offset <= size, length <= size - offset else {
            throw ModelImportError(file: file, "\(what): external data offset \(entries["offset"] ?? "0"), length \(entries["length"] ?? "-") outside '\(location)' (\(size) bytes)")
        }
        guard length == expected else {
            throw ModelImportError(file: file, "\(what): dims \(proto.dims) need \(expected) bytes, the external data holds \(length)")
        }
        do {
            try handle.seek(toOffset: UInt64(offset))
            return try handle.read(upToCount: length) ?? Data()
        } catch {
            throw ModelImportError(file: file, "\(what): cannot read '\(location)': \(error)")
        }
    }

    var count: Int { values.count }
    var floats: [Float] { values.map { Float($0) } }
}
