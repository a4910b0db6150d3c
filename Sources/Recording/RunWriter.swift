import HDF5
import Networks
import Tensor

/// The open datasets of a run file being written. Every write goes to a fixed row of
/// preallocated storage: rows first, then the commit record that names them.
struct RunWriter {
    struct LayerDatasets {
        var activations: H5Dataset
        var parameters: [H5Dataset]
        var gradients: [H5Dataset]
    }

    let epochs: H5Dataset
    let metricEpoch: H5Dataset
    let metrics: [H5Dataset]
    let gradientEpochs: H5Dataset
    let layers: [LayerDatasets]
    let checkpointParameters: H5Dataset
    let checkpointState: H5Dataset
    let checkpointEpochs: H5Dataset
    let checkpointSteps: H5Dataset

    init(file: H5File, model: Sequential) throws {
        epochs = try file.dataset("epochs")
        metricEpoch = try file.dataset("metrics/epoch")
        metrics = try RunFileFormat.metricNames.map { name throws(HDF5Error) in try file.dataset("metrics/\(name)") }
        gradientEpochs = try file.dataset("gradients/epochs")
        var layers: [LayerDatasets] = []
        for (index, layer) in model.layers.enumerated() {
            let group = try file.group(RunFileFormat.layerGroup(index, layer.name))
            let parameters = try layer.parameterNames.filter { group.isDataset($0) }.map { name throws(HDF5Error) in try group.dataset(name) }
            var gradients: [H5Dataset] = []
            if !layer.parameters.isEmpty {
                let statistics = try file.group(RunFileFormat.gradientGroup(index, layer.name))
                gradients = try RunFileFormat.gradientNames.map { name throws(HDF5Error) in try statistics.dataset(name) }
            }
            layers.append(LayerDatasets(activations: try group.dataset("activations"), parameters: parameters, gradients: gradients))
        }
        self.layers = layers
        checkpointParameters = try file.dataset("checkpoint/parameters")
        checkpointState = try file.dataset("checkpoint/optimizer_state")
        checkpointEpochs = try file.dataset("checkpoint/completed_epochs")
        checkpointSteps = try file.dataset("checkpoint/optimizer_steps")
    }

    /// Loss and accuracy of the state after `completed` epochs (row `completed`), then
    /// its commit record.
    func writeMetrics(completed: Int, _ values: EpochMetrics) throws {
        let row = [values.trainLoss, values.trainAccuracy, values.testLoss, values.testAccuracy]
        for (dataset, value) in zip(metrics, row) { try dataset.writeRow(completed, [value]) }
        try metricEpoch.writeRow(completed, [Int64(completed)])
    }

    /// The four gradient rows of each layer with weights (mean norm, std norm, their
    /// ratio, the weight norm), by layer index: computed in the training thread, since
    /// the moments are reset and the weights change once it goes on.
    static func gradientRows(moments: [Int: GradientMoments], model: Sequential) -> [Int: [Double]] {
        var rows: [Int: [Double]] = [:]
        for (index, layer) in model.layers.enumerated() {
            guard let statistics = moments[index] else { continue }
            let mean = statistics.meanNorm, std = statistics.stdNorm
            let weightNorm = layer.parameters[0].scalars.withUnsafeBufferPointer { Kernels.norm($0) }
            rows[index] = [mean, std, std > 0 ? mean / std : .nan, weightNorm]
        }
        return rows
    }

    /// The gradient statistics of training epoch `epoch` (its minibatches' gradients at
    /// their pre-update weights, ``gradientRows(moments:model:)``) in row `position` of
    /// the schedule, then their commit record.
    func writeGradients(position: Int, epoch: Int, rows: [Int: [Double]]) throws {
        for (index, values) in rows.sorted(by: { $0.key < $1.key }) where layers[index].gradients.count == 4 {
            for (dataset, value) in zip(layers[index].gradients, values) { try dataset.writeRow(position, [value]) }
        }
        try gradientEpochs.writeRow(position, [Int64(epoch)])
    }

    /// Activations `[sample, unit...]` of every layer (and, when given, every layer's
    /// parameters) of logged epoch `epoch` in row `position`, then its commit record in
    /// `/epochs`.
    func writeLogged(position: Int, epoch: Int, outputs: [[Float]], parameters: [[[Float]]]?, storage: ActivationStorage) throws {
        for (index, output) in outputs.enumerated() {
            switch storage {
            case .float32: try layers[index].activations.writeRow(position, output)
            case .float16: try layers[index].activations.writeRow(position, HalfPrecision.narrow(output))
            }
            if let parameters {
                for (dataset, values) in zip(layers[index].parameters, parameters[index]) {
                    try dataset.writeRow(position, values)
                }
            }
        }
        try epochs.writeRow(position, [Int64(epoch)])
    }

    /// A checkpoint: every layer's parameters and the optimizer's state tensors, in
    /// model order, with the optimizer's step count.
    struct Checkpoint: Sendable {
        var parameters: [[Float]]
        var state: [[Float]]
        var stateCount: Int
        var steps: Int64

        init(model: Sequential, optimizer: any Optimizer) {
            parameters = model.layers.flatMap { $0.parameters.map(\.scalars) }
            state = optimizer.state.map(\.scalars)
            stateCount = max(model.parameterCount * optimizer.stateSlotsPerParameter, 1)
            steps = Int64(optimizer.steps)
        }
    }

    /// The checkpoint's data into `slot`, then the slot's epoch, which marks it complete.
    func writeCheckpoint(slot: Int, completed: Int, _ checkpoint: Checkpoint) throws {
        let parameters = checkpoint.parameters.flatMap { $0 }
        try checkpointParameters.writeRow(slot, parameters.isEmpty ? [0] : parameters)
        var state = checkpoint.state.flatMap { $0 }
        if state.count < checkpoint.stateCount { state = [Float](repeating: 0, count: checkpoint.stateCount) }
        try checkpointState.writeRow(slot, state)
        try checkpointSteps.writeRow(slot, [checkpoint.steps])
        try checkpointEpochs.writeRow(slot, [Int64(completed)])
    }
}
