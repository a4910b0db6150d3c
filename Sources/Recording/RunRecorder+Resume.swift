import HDF5
import Networks
import Tensor

extension RunRecorder {
    /// Continues a run file left by an interrupted run (killed, or stopped early).
    ///
    /// Picks the newest complete checkpoint, loads its weights into `model` and its state
    /// into `optimizer` (both built from the run's configuration, with the same
    /// architecture), withdraws every commit record beyond it, and returns a recorder
    /// that writes on from there together with the number of completed epochs to resume
    /// the trainer at. Training on from there gives the same data, bit for bit, as an
    /// uninterrupted run.
    public static func resume(path: String, model: inout Sequential, optimizer: inout any Optimizer) throws -> (recorder: RunRecorder, completedEpochs: Int) {
        let file = try H5File.open(path, mode: .readWrite, directRawWrites: true)
        try RunFile.checkFormat(file)
        if RunCompaction.isCompacted(file) {
            throw RunFileError(file: path, "is a finished, compacted run; it is not written again (extend it to more epochs instead)")
        }
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
        guard let (best, completed) = try RunFile.newestCheckpoint(file) else {
            throw RunFileError(file: path, "no complete checkpoint to resume from (the run stopped before its first one); start it again with --force")
        }
        try model.load(flatParameters: try file.dataset("checkpoint/parameters").readRow(best, as: Float.self), file: path)
        optimizer.steps = Int(slotSteps[best])
        if optimizer.steps > 0 && optimizer.stateSlotsPerParameter > 0 {
            let state = try file.dataset("checkpoint/optimizer_state").readRow(best, as: Float.self)
            let needed = model.parameterCount * optimizer.stateSlotsPerParameter
            guard state.count >= needed else {
                throw RunFileError(file: path, "checkpoint/optimizer_state holds \(state.count) values; the model's optimizer needs \(needed)")
            }
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

        // Withdraw what lies beyond the checkpoint.
        try withdrawCommits(file, completed: completed, timing: timing, scheduled: scheduled)
        let rows = try file.dataset("dataset/index").read(as: Int64.self).map { Int($0) }
        let recorder = try RunRecorder(resuming: file, path: path, options: options, totalEpochs: totalEpochs,
                                       model: model, rows: rows, slotEpochs: slotEpochs)
        return (recorder, completed)
    }

    /// Sets every commit record after the checkpoint back to −1 (raw writes, like the
    /// recorder's own); the rows they named are rewritten as training continues.
    private static func withdrawCommits(_ file: H5File, completed: Int, timing: LogTiming, scheduled: [Int]) throws {
        let metricEpochs = try file.dataset("metrics/epoch")
        let states = try metricEpochs.shape()[0]
        if completed + 1 < states {
            try metricEpochs.writeRow(completed + 1, [Int64](repeating: -1, count: states - completed - 1))
        }
        if let firstLate = scheduled.firstIndex(where: { timing.completedEpochs(forLogged: $0) > completed }) {
            try file.dataset("epochs").writeRow(firstLate, [Int64](repeating: -1, count: scheduled.count - firstLate))
        }
        if let firstLate = scheduled.firstIndex(where: { $0 + 1 > completed }) {
            try file.dataset("gradients/epochs").writeRow(firstLate, [Int64](repeating: -1, count: scheduled.count - firstLate))
        }
    }
}
