import Networks

extension ImportBuilder {
    /// The element-wise sum of the current value and `others` (a residual connection):
    /// one shape, one layout, and for flattened NCHW maps one row order.
    mutating func add(_ others: [Value], place: String) throws(ModelImportError) {
        for other in others {
            guard other.shape == shape else { throw error(place, "adds tensors of shapes \(shape) and \(other.shape); one shape is supported (no broadcasting)") }
            guard other.sourceIsNCHW == sourceIsNCHW || shape.count == 1, other.rowOrder == current.rowOrder else {
                throw error(place, "adds tensors the source holds in different layouts")
            }
        }
        try append(.add, output: shape, foldable: false, more: others, place: place)
    }

    /// The current value and `others` joined along the channels (feature maps) or the
    /// features (flat tensors): every other axis equal, one layout.
    mutating func concat(_ others: [Value], place: String) throws(ModelImportError) {
        var output = shape
        for other in others {
            guard other.shape.count == shape.count, other.shape.dropLast() == shape.dropLast() else {
                throw error(place, "joins tensors of shapes \(shape) and \(other.shape); along the channels (or features) with every other size equal is supported")
            }
            guard other.sourceIsNCHW == sourceIsNCHW, other.rowOrder == nil, current.rowOrder == nil else {
                throw error(place, "joins tensors the source holds in different layouts (or flattened feature maps)")
            }
            let (sum, overflow) = output[output.count - 1].addingReportingOverflow(other.shape[other.shape.count - 1])
            guard !overflow else { throw error(place, "joins more channels than a tensor can hold") }
            output[output.count - 1] = sum
        }
        try append(.concat, output: output, foldable: false, more: others, place: place)
    }
}
