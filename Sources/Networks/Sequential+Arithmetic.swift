/// The arithmetic of a model's dense layers.
extension Sequential {
    /// The same model with every dense layer computing its products by `arithmetic`.
    public func with(arithmetic: Arithmetic) -> Sequential {
        var copy = self
        copy.layers = layers.map { layer in
            guard var dense = layer as? Dense else { return layer }
            dense.arithmetic = arithmetic
            return dense
        }
        return copy
    }

    /// The arithmetic of the dense layers (`blas` for a model without any).
    public var arithmetic: Arithmetic {
        layers.lazy.compactMap { ($0 as? Dense)?.arithmetic }.first ?? .blas
    }
}
