import Information
import Recording

extension RunFile {
    /// The layer pairs the data-processing inequality compares in this run's model: each
    /// layer with its immediate dominator (``DPICheck/dominatorPairs(inputs:)``), which
    /// in a chain is the layer before.
    public var dominatorPairs: [DPICheck.Pair] {
        let index = Dictionary(layers.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        return DPICheck.dominatorPairs(inputs: layers.map { layer in layer.inputs.map { index[$0] ?? -1 } })
    }
}
