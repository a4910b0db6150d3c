/// A row-major, contiguous tensor of `Float`: a shape and its scalars.
///
/// A value type with copy-on-write storage (a Swift `Array`). Shapes are written in
/// comments as `[batch, features]`, `[batch, height, width, channels]` (NHWC, the
/// layout of every image tensor in this project) and so on.
public struct Tensor: Equatable, Sendable, CustomStringConvertible {
    /// Extent of each axis, outermost first.
    public var shape: [Int]
    /// The scalars in row-major order; `scalars.count == shape.reduce(1, *)`.
    public var scalars: [Float]

    /// A tensor from its shape and row-major scalars.
    /// - Precondition: `scalars.count` equals the product of `shape` (a programming
    ///   error, not user input: callers validate data before building tensors).
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.reduce(1, *) == scalars.count,
                     "Tensor: \(scalars.count) scalars for shape \(shape)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        self.shape = shape
        self.scalars = [Float](repeating: value, count: shape.reduce(1, *))
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape) }

    /// Number of scalars.
    @inlinable public var count: Int { scalars.count }
    /// Number of axes.
    @inlinable public var rank: Int { shape.count }
    /// Extent of axis 0 (the batch axis by convention), or 1 for a scalar.
    @inlinable public var rows: Int { shape.first ?? 1 }
    /// Number of scalars per entry of axis 0 (features per sample).
    @inlinable public var rowSize: Int { shape.count <= 1 ? 1 : shape.dropFirst().reduce(1, *) }

    /// The same scalars under another shape with the same number of elements.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// Rows `range` of axis 0, as a new tensor.
    public func rows(_ range: Range<Int>) -> Tensor {
        let size = rowSize
        var newShape = shape
        newShape[0] = range.count
        return Tensor(shape: newShape, scalars: Array(scalars[(range.lowerBound * size)..<(range.upperBound * size)]))
    }

    /// The rows at `indices` of axis 0, in that order (a minibatch gather).
    /// - Complexity: O(indices.count × rowSize).
    public func gatherRows(_ indices: some Collection<Int>) -> Tensor {
        if let gathered = indices.withContiguousStorageIfAvailable({ gatherRows(contiguous: $0) }) { return gathered }
        return Array(indices).withUnsafeBufferPointer { gatherRows(contiguous: $0) }
    }

    /// The gather over a buffer of row indices (concrete, so the loop is not generic); rows
    /// of up to 16 scalars are copied in place of a `memmove` call per row.
    private func gatherRows(contiguous indices: UnsafeBufferPointer<Int>) -> Tensor {
        let size = rowSize
        var newShape = shape
        newShape[0] = indices.count
        let out = Tensor.filled(shape: newShape) { dst in
            scalars.withUnsafeBufferPointer { src in
                guard let to = dst.baseAddress, let from = src.baseAddress else { return }
                for (position, index) in indices.enumerated() {
                    let target = to + position * size, source = from + index * size
                    if size <= 16 {
                        for c in 0..<size { target[c] = source[c] }
                    } else {
                        target.update(from: source, count: size)
                    }
                }
            }
        }
        return out
    }

    public var description: String {
        "Tensor\(shape)(\(scalars.prefix(8).map { "\($0)" }.joined(separator: ", "))\(count > 8 ? ", …" : ""))"
    }
}

extension Tensor {
    /// A tensor whose scalars `body` writes, without zeroing them first (for outputs of
    /// `sgemm` with β = 0 and other kernels that overwrite every element).
    /// - Precondition: `body` writes all `shape.reduce(1, *)` elements.
    @inlinable
    public static func filled(shape: [Int], _ body: (UnsafeMutableBufferPointer<Float>) -> Void) -> Tensor {
        let count = shape.reduce(1, *)
        let scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            body(buffer)
            initialized = count
        }
        return Tensor(shape: shape, scalars: scalars)
    }
}
