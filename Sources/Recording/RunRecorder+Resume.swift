import HDF5
import Networks
import Tensor

extension RunRecorder {
    /// Continues a run file left by an interrupted run (killed, or stopped early).
    ///
    /// Clears the status flags a killed SWMR writer leaves, picks the newest complete
    /// checkpoint, loads its weights into `model` and its state into `optimizer` (both
    /// built from the run's configuration, with the same architecture), truncates every
    /// dataset back to that checkpoint, and returns a recorder that appends from there
    /// together with the number of completed epochs to resume the trainer at. Training
    /// on from there gives the same data, bit for bit, as an uninterrupted run.
    public static func resume(path: String, model: inout Sequential, optimizer: inout any Optimizer) throws -> (recorder: RunRecorder, completedEpochs: Int) {
        let file = try H5File.open(path, mode: .readWriteClearingStatus)
        try RunFile.checkFormat(file)
        let totalEpochs = Int(try file.attribute("total_epochs", as: Int64.self))
        guard let timing = LogTiming(rawValue: try file.stringAttribute("log_timing")),
              let storage = ActivationStorage(rawValue: try file.stringAttribute("activation_storage")) else {
            throw RunFileError(file: path, "unknown log_timing or activation_storage attribute")
        }
        let scheduled = try file.arrayAttribute("scheduled_epochs", as: Int64.self).map { Int($0) }
        let firstLayer = try file.group(RunFileFormat.layerGroup(0, model.layers[0].name))
        let recordWeights = model.layers.first.map { !$0.parameters.isEmpty && firstLayer.isDataset($0.parameterNames[0]) } ?? false
        let options = RecorderOptions(schedule: .explicit(scheduled), timing: timing, storage: storage,
                                      recordWeights: recordWeights,
                                      checkpointInterval: Int(try file.attribute("checkpoint_interval", as: Int64.self)))

        // The newest complete checkpoint.
        let slotEpochs = try file.dataset("checkpoint/completed_epochs").read(as: Int64.self)
        let slotSteps = try file.dataset("checkpoint/optimizer_steps").read(as: Int64.self)
        guard let best = slotEpochs.indices.max(by: { slotEpochs[$0] < slotEpochs[$1] }), slotEpochs[best] >= 0 else {
            throw RunFileError(file: path, "no complete checkpoint to resume from (the run stopped before its first one); start it again with --force")
        }
        let completed = Int(slotEpochs[best])
        let parameters = try file.dataset("checkpoint/parameters").readRow(best, as: Float.self)
        guard parameters.count == model.parameterCount else {
            throw RunFileError(file: path, "the checkpoint holds \(parameters.count) parameters, the configured model \(model.parameterCount)")
        }
        var offset = 0
        for l in model.layers.indices {
            for p in model.layers[l].parameters.indices {
                let count = model.layers[l].parameters[p].count
                model.layers[l].parameters[p].scalars = Array(parameters[offset..<(offset + count)])
                offset += count
            }
        }
        optimizer.steps = Int(slotSteps[best])
        if optimizer.steps > 0 && optimizer.stateSlotsPerParameter > 0 {
            let state = try file.dataset("checkpoint/optimizer_state").readRow(best, as: Float.self)
            var tensors: [Tensor] = []
            var position = 0
            for layer in model.layers {
                for parameter in layer.parameters {
                    for _ in 0..<optimizer.stateSlotsPerParameter {
                        tensors.append(Tensor(shape: parameter.shape, scalars: Array(state[position..<(position + parameter.count)])))
                        position += parameter.count
                    }
                }
            }
            optimizer.state = tensors
        }

        // Cut every dataset back to the checkpoint.
        try truncate(file, model: model, completed: completed, timing: timing)
        try file.setAttribute("status", "running")
        try file.flush()
        let rows = try file.dataset("dataset/index").read(as: Int64.self).map { Int($0) }
        let recorder = try RunRecorder(resuming: file, path: path, options: options, totalEpochs: totalEpochs,
                                       model: model, rows: rows, slotEpochs: slotEpochs)
        return (recorder, completed)
    }

    private static func truncate(_ file: H5File, model: Sequential, completed: Int, timing: LogTiming) throws {
        try file.dataset("metrics/epoch").resizeFirstAxis(to: completed + 1)
        for name in RunFileFormat.metricNames {
            try file.dataset("metrics/\(name)").resizeFirstAxis(to: completed + 1)
        }
        let logged = try file.dataset("epochs").read(as: Int64.self)
        let keep = logged.prefix { timing.completedEpochs(forLogged: Int($0)) <= completed }.count
        try file.dataset("epochs").resizeFirstAxis(to: keep)
        let gradientEpochs = try file.dataset("gradients/epochs").read(as: Int64.self)
        let keepGradients = gradientEpochs.prefix { Int($0) + 1 <= completed }.count
        try file.dataset("gradients/epochs").resizeFirstAxis(to: keepGradients)
        for (index, layer) in model.layers.enumerated() {
            let group = try file.group(RunFileFormat.layerGroup(index, layer.name))
            for name in ["activations"] + layer.parameterNames where group.isDataset(name) {
                try group.dataset(name).resizeFirstAxis(to: keep)
            }
            if !layer.parameters.isEmpty {
                let statistics = try file.group(RunFileFormat.gradientGroup(index, layer.name))
                for name in RunFileFormat.gradientNames {
                    try statistics.dataset(name).resizeFirstAxis(to: keepGradients)
                }
            }
        }
    }
}
