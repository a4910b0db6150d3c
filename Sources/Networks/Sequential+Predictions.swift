import Tensor

extension Sequential {
    /// The class each sample is assigned (the largest logit, the first on ties), from
    /// forward passes over blocks of 256 samples, so that memory stays that of one block.
    public func predictedClasses(_ inputs: Tensor) -> [Int] {
        var classes: [Int] = []
        classes.reserveCapacity(inputs.rows)
        var start = 0
        while start < inputs.rows {
            let end = min(start + 256, inputs.rows)
            let logits = self(inputs.gatherRows(Array(start..<end)))
            let width = logits.rowSize
            for row in 0..<(end - start) {
                let values = logits.scalars[(row * width)..<((row + 1) * width)]
                classes.append((values.indices.max { values[$0] < values[$1] || (values[$0] == values[$1] && $0 > $1) } ?? row * width) - row * width)
            }
            start = end
        }
        return classes
    }
}
