import HDF5
import Networks
import Tensor

/// The open datasets of a run file being written, and the appends of one event.
struct RunWriter {
    struct LayerDatasets {
        var activations: H5Dataset
        var parameters: [H5Dataset]
        var gradients: [H5Dataset]
    }

    var epochs: H5Dataset?
    var metricEpoch: H5Dataset?
    var metrics: [H5Dataset] = []
    var gradientEpochs: H5Dataset?
    var layers: [LayerDatasets] = []
    var checkpointParameters: H5Dataset?
    var checkpointState: H5Dataset?
    var checkpointEpochs: H5Dataset?
    var checkpointSteps: H5Dataset?

    /// A writer holding no handles (after the file was closed).
    static let closed = RunWriter()

    private init() {}

    init(file: H5File, model: Sequential) throws {
        epochs = try file.dataset("epochs")
        metricEpoch = try file.dataset("metrics/epoch")
        metrics = try RunFileFormat.metricNames.map { name throws(HDF5Error) in try file.dataset("metrics/\(name)") }
        gradientEpochs = try file.dataset("gradients/epochs")
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
        checkpointParameters = try file.dataset("checkpoint/parameters")
        checkpointState = try file.dataset("checkpoint/optimizer_state")
        checkpointEpochs = try file.dataset("checkpoint/completed_epochs")
        checkpointSteps = try file.dataset("checkpoint/optimizer_steps")
    }

    /// One row of loss and accuracy for the state after `completed` epochs.
    func appendMetrics(completed: Int, _ values: EpochMetrics) throws {
        let row = [values.trainLoss, values.trainAccuracy, values.testLoss, values.testAccuracy]
        for (dataset, value) in zip(metrics, row) { try dataset.append([value], rows: 1) }
        try metricEpoch?.append([Int64(completed)], rows: 1)
    }

    /// The gradient statistics of training epoch `epoch` (its minibatches' gradients at
    /// their pre-update weights) and the weight norm at the end of that epoch.
    func appendGradients(epoch: Int, moments: [Int: GradientMoments], model: Sequential) throws {
        for (index, layer) in model.layers.enumerated() {
            guard let statistics = moments[index], layers[index].gradients.count == 4 else { continue }
            let mean = statistics.meanNorm, std = statistics.stdNorm
            let weightNorm = layer.parameters[0].scalars.withUnsafeBufferPointer { Kernels.norm($0) }
            let values = [mean, std, std > 0 ? mean / std : .nan, weightNorm]
            for (dataset, value) in zip(layers[index].gradients, values) { try dataset.append([value], rows: 1) }
        }
        try gradientEpochs?.append([Int64(epoch)], rows: 1)
    }

    /// Activations (and weights) of logged epoch `epoch`, then the `/epochs` row that
    /// commits them.
    func appendLogged(epoch: Int, outputs: [Tensor], model: Sequential, storage: ActivationStorage, recordWeights: Bool) throws {
        for (index, output) in outputs.enumerated() {
            switch storage {
            case .float32:
                try layers[index].activations.append(output.scalars, rows: 1)
            case .float16:
                try layers[index].activations.append(output.scalars.map { Float16($0) }, rows: 1)
            }
            if recordWeights {
                for (dataset, parameter) in zip(layers[index].parameters, model.layers[index].parameters) {
                    try dataset.append(parameter.scalars, rows: 1)
                }
            }
        }
        try epochs?.append([Int64(epoch)], rows: 1)
    }

    func writeCheckpoint(slot: Int, model: Sequential, optimizer: any Optimizer) throws {
        let parameters = model.layers.flatMap { $0.parameters.flatMap(\.scalars) }
        try checkpointParameters?.writeRow(slot, parameters)
        let stateCount = model.parameterCount * optimizer.stateSlotsPerParameter
        var state = optimizer.state.flatMap(\.scalars)
        if state.count < max(stateCount, 1) { state = [Float](repeating: 0, count: max(stateCount, 1)) }
        try checkpointState?.writeRow(slot, state)
    }

    func markCheckpoint(slot: Int, completed: Int64, steps: Int64) throws {
        guard let checkpointEpochs, let checkpointSteps else { return }
        var epochs = try checkpointEpochs.read(as: Int64.self)
        var allSteps = try checkpointSteps.read(as: Int64.self)
        epochs[slot] = completed
        allSteps[slot] = steps
        try checkpointSteps.write(allSteps)
        try checkpointEpochs.write(epochs)
    }
}
