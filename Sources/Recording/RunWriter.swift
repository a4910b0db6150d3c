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

    /// The gradient statistics of training epoch `epoch` (its minibatches' gradients at
    /// their pre-update weights) and the weight norm at the end of that epoch, in row
    /// `position` of the schedule, then their commit record.
    func writeGradients(position: Int, epoch: Int, moments: [Int: GradientMoments], model: Sequential) throws {
        for (index, layer) in model.layers.enumerated() {
            guard let statistics = moments[index], layers[index].gradients.count == 4 else { continue }
            let mean = statistics.meanNorm, std = statistics.stdNorm
            let weightNorm = layer.parameters[0].scalars.withUnsafeBufferPointer { Kernels.norm($0) }
            let values = [mean, std, std > 0 ? mean / std : .nan, weightNorm]
            for (dataset, value) in zip(layers[index].gradients, values) { try dataset.writeRow(position, [value]) }
        }
        try gradientEpochs.writeRow(position, [Int64(epoch)])
    }

    /// Activations (and weights) of logged epoch `epoch` in row `position`, then its
    /// commit record in `/epochs`.
    func writeLogged(position: Int, epoch: Int, outputs: [Tensor], model: Sequential, storage: ActivationStorage,
                     recordWeights: Bool) throws {
        for (index, output) in outputs.enumerated() {
            switch storage {
            case .float32: try layers[index].activations.writeRow(position, output.scalars)
            case .float16: try layers[index].activations.writeRow(position, HalfPrecision.narrow(output.scalars))
            }
            if recordWeights {
                for (dataset, parameter) in zip(layers[index].parameters, model.layers[index].parameters) {
                    try dataset.writeRow(position, parameter.scalars)
                }
            }
        }
        try epochs.writeRow(position, [Int64(epoch)])
    }

    /// The checkpoint's data into `slot`, then the slot's epoch, which marks it complete.
    func writeCheckpoint(slot: Int, completed: Int, model: Sequential, optimizer: any Optimizer) throws {
        let parameters = model.layers.flatMap { $0.parameters.flatMap(\.scalars) }
        try checkpointParameters.writeRow(slot, parameters.isEmpty ? [0] : parameters)
        let stateCount = max(model.parameterCount * optimizer.stateSlotsPerParameter, 1)
        var state = optimizer.state.flatMap(\.scalars)
        if state.count < stateCount { state = [Float](repeating: 0, count: stateCount) }
        try checkpointState.writeRow(slot, state)
        try checkpointSteps.writeRow(slot, [Int64(optimizer.steps)])
        try checkpointEpochs.writeRow(slot, [Int64(completed)])
    }
}
