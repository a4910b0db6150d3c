import HDF5
import Networks
import Tensor

/// The open datasets of a run file being written. Every write goes to a fixed row of
/// preallocated storage: rows first, then the commit record that names them.
///
/// The rows are written by ``H5RowWriter``s: one `pwrite` each at the row's offset, since
/// the recorder's file has no sieve buffer and its datasets are contiguous and allocated
/// (some fifty rows an epoch for the IBnet, most of them one number; through `H5Dwrite`
/// they cost more than the bytes).
struct RunWriter {
    struct LayerDatasets {
        var activations: ActivationRows
        var parameters: [H5RowWriter<Float>]
        var gradients: [H5RowWriter<Double>]
    }

    /// A layer's activations `[logged epoch, sample, unit…]`, in the type the file stores.
    enum ActivationRows: Sendable {
        case float32(H5RowWriter<Float>)
        case float16(H5RowWriter<Float16>)

        init(_ dataset: H5Dataset) throws {
            self = try dataset.storedElementSize() == 2 ? .float16(dataset.rowWriter()) : .float32(dataset.rowWriter())
        }

        var writesDirectly: Bool {
            switch self {
            case .float32(let rows): rows.writesDirectly
            case .float16(let rows): rows.writesDirectly
            }
        }

        func write(row: Int, _ values: [Float]) throws {
            switch self {
            case .float32(let rows): try rows.write(row: row, values)
            case .float16(let rows): try rows.write(row: row, HalfPrecision.narrow(values))
            }
        }
    }

    let epochs: H5RowWriter<Int64>
    let metricEpoch: H5RowWriter<Int64>
    let metrics: [H5RowWriter<Double>]
    let gradientEpochs: H5RowWriter<Int64>
    let layers: [LayerDatasets]
    let checkpointParameters: H5RowWriter<Float>
    let checkpointState: H5RowWriter<Float>
    let checkpointEpochs: H5RowWriter<Int64>
    let checkpointSteps: H5RowWriter<Int64>

    init(file: H5File, model: Sequential) throws {
        epochs = try file.dataset("epochs").rowWriter()
        metricEpoch = try file.dataset("metrics/epoch").rowWriter()
        metrics = try RunFileFormat.metricNames.map { name throws(HDF5Error) in try file.dataset("metrics/\(name)").rowWriter() }
        gradientEpochs = try file.dataset("gradients/epochs").rowWriter()
        var layers: [LayerDatasets] = []
        for (index, layer) in model.layers.enumerated() {
            let group = try file.group(RunFileFormat.layerGroup(index, layer.name))
            let parameters = try layer.parameterNames.filter { group.isDataset($0) }
                .map { name throws(HDF5Error) in try group.dataset(name).rowWriter(of: Float.self) }
            var gradients: [H5RowWriter<Double>] = []
            if !layer.parameters.isEmpty {
                let statistics = try file.group(RunFileFormat.gradientGroup(index, layer.name))
                gradients = try RunFileFormat.gradientNames.map { name throws(HDF5Error) in try statistics.dataset(name).rowWriter() }
            }
            layers.append(LayerDatasets(activations: try ActivationRows(group.dataset("activations")), parameters: parameters,
                                        gradients: gradients))
        }
        self.layers = layers
        checkpointParameters = try file.dataset("checkpoint/parameters").rowWriter()
        checkpointState = try file.dataset("checkpoint/optimizer_state").rowWriter()
        checkpointEpochs = try file.dataset("checkpoint/completed_epochs").rowWriter()
        checkpointSteps = try file.dataset("checkpoint/optimizer_steps").rowWriter()
    }

    /// Whether every row goes straight to the file (``H5RowWriter/writesDirectly``).
    var writesDirectly: Bool {
        [epochs, metricEpoch, gradientEpochs, checkpointEpochs, checkpointSteps].allSatisfy(\.writesDirectly)
            && metrics.allSatisfy(\.writesDirectly)
            && [checkpointParameters, checkpointState].allSatisfy(\.writesDirectly)
            && layers.allSatisfy { $0.activations.writesDirectly && $0.parameters.allSatisfy(\.writesDirectly) && $0.gradients.allSatisfy(\.writesDirectly) }
    }

    /// Loss and accuracy of the state after `completed` epochs (row `completed`), then
    /// its commit record.
    func writeMetrics(completed: Int, _ values: EpochMetrics) throws {
        let row = [values.trainLoss, values.trainAccuracy, values.testLoss, values.testAccuracy]
        for (dataset, value) in zip(metrics, row) { try dataset.write(row: completed, [value]) }
        try metricEpoch.write(row: completed, [Int64(completed)])
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
            for (dataset, value) in zip(layers[index].gradients, values) { try dataset.write(row: position, [value]) }
        }
        try gradientEpochs.write(row: position, [Int64(epoch)])
    }

    /// Activations `[sample, unit...]` of every layer (and, when given, every layer's
    /// parameters) of logged epoch `epoch` in row `position`, then its commit record in
    /// `/epochs`.
    func writeLogged(position: Int, epoch: Int, outputs: [[Float]], parameters: [[[Float]]]?) throws {
        for (index, output) in outputs.enumerated() {
            try layers[index].activations.write(row: position, output)
            if let parameters {
                for (dataset, values) in zip(layers[index].parameters, parameters[index]) {
                    try dataset.write(row: position, values)
                }
            }
        }
        try epochs.write(row: position, [Int64(epoch)])
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
        try checkpointParameters.write(row: slot, parameters.isEmpty ? [0] : parameters)
        var state = checkpoint.state.flatMap { $0 }
        if state.count < checkpoint.stateCount { state = [Float](repeating: 0, count: checkpoint.stateCount) }
        try checkpointState.write(row: slot, state)
        try checkpointSteps.write(row: slot, [checkpoint.steps])
        try checkpointEpochs.write(row: slot, [Int64(completed)])
    }
}
