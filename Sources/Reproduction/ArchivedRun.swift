import HDF5

/// The 2017 authors' archived results (`data/reference/idnns_orig_run_…h5`): I(X;T) and
/// I(T;Y) in bits of each repeat, logged epoch and layer (the last layer the softmax
/// output), binning with edges `linspace(-1, 1, 50)`.
package struct ArchivedRun: Sendable {
    /// The logged epochs.
    package var epochs: [Int]
    /// `[run][epoch][layer]`, bits.
    package var ixt: [[[Double]]]
    package var ity: [[[Double]]]
    package var layerCount: Int { ixt.first?.first?.count ?? 0 }

    package static func read(_ path: String) throws -> ArchivedRun {
        let archive = try H5File.open(path)
        let epochs = try archive.dataset("epochs").read(as: Int64.self).map { Int($0) }
        let shape = try archive.dataset("IXT").shape()
        guard shape.count == 3, shape[1] == epochs.count, try archive.dataset("ITY").shape() == shape else {
            throw HDF5Error(.mismatch, call: "read", file: path, object: "/IXT", detail: "IXT and ITY must be [repeat, logged epoch, layer] over the \(epochs.count) epochs")
        }
        let (runs, count, layers) = (shape[0], shape[1], shape[2])
        func cube(_ name: String) throws -> [[[Double]]] {
            let values = try archive.dataset(name).read(as: Double.self)
            return (0..<runs).map { r in (0..<count).map { e in Array(values[((r * count + e) * layers)..<((r * count + e + 1) * layers)]) } }
        }
        return ArchivedRun(epochs: epochs, ixt: try cube("IXT"), ity: try cube("ITY"))
    }
}
