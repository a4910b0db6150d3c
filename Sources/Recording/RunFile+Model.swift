import HDF5
import Networks
import Tensor

extension RunFile {
    /// The recorded inputs `/dataset/x`, `[sample, features...]`.
    public func inputs() throws -> Tensor {
        let dataset = try file.dataset("dataset/x")
        let values = try dataset.read(as: Float.self)
        // Inputs the lab recorded are finite (the loaders refuse others): a NaN or an
        // infinity here is a damaged file, reported rather than explained.
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw RunFileError(file: path, "recorded input value \(bad) (dataset/x) is \(values[bad]), not a finite number")
        }
        return Tensor(shape: try dataset.shape(), scalars: values)
    }

    /// Each recorded sample's row in the data set (`/dataset/index`).
    public func sampleRows() throws -> [Int] { try file.dataset("dataset/index").read(as: Int64.self).map { Int($0) } }

    /// Each recorded sample's split: 0 training, 1 test, 2 neither.
    public func splits() throws -> [UInt8] { try file.dataset("dataset/split").read(as: UInt8.self) }

    /// The newest complete checkpoint slot of an open run file and the epochs it has
    /// completed, or nil when there is none yet.
    static func newestCheckpoint(_ file: H5File) throws -> (slot: Int, completedEpochs: Int)? {
        let slotEpochs = try file.dataset("checkpoint/completed_epochs").read(as: Int64.self)
        guard let best = slotEpochs.indices.max(by: { slotEpochs[$0] < slotEpochs[$1] }), slotEpochs[best] >= 0 else { return nil }
        return (best, Int(slotEpochs[best]))
    }

    /// Loads the parameters of the model as it was at logged epoch `epoch` (nil: the
    /// latest state available) into `model`, which must have the run's architecture.
    ///
    /// Uses the recorded `weights`/`bias` rows when the run recorded them; otherwise only
    /// the newest checkpoint's state exists, and asking for another epoch is an error.
    /// - Returns: the epoch whose state was loaded (logged-epoch numbering, see
    ///   `log_timing`; for a checkpoint the number of completed epochs).
    public func loadParameters(into model: inout Sequential, epoch: Int?) throws -> Int {
        let withWeights = layers.filter(\.hasWeights)
        if !withWeights.isEmpty {
            guard let last = loggedEpochs.last else { throw RunFileError(file: path, "no logged epoch is committed yet") }
            let wanted = epoch ?? last
            guard let row = loggedEpochs.firstIndex(of: wanted) else {
                let nearest = loggedEpochs.min { abs($0 - wanted) < abs($1 - wanted) } ?? last
                throw RunFileError(file: path, "epoch \(wanted) is not a logged epoch; the nearest logged one is \(nearest) (\(loggedEpochs.count) logged, \(loggedEpochs.first ?? 0)…\(last))")
            }
            for info in withWeights {
                guard let index = model.layers.firstIndex(where: { $0.name == info.name }), !model.layers[index].parameters.isEmpty else {
                    throw RunFileError(file: path, "layer \(info.name) of the run is not in the model")
                }
                let group = RunFileFormat.layerGroup(info.index, info.name)
                let weights = try file.dataset(group + "/weights").readRow(row, as: Float.self)
                let bias = try file.dataset(group + "/bias").readRow(row, as: Float.self)
                let shapes = model.layers[index].parameters.map(\.shape)
                guard weights.count == shapes[0].reduce(1, *), bias.count == shapes[1].reduce(1, *) else {
                    throw RunFileError(file: path, "layer \(info.name): recorded parameters do not fit the model (\(weights.count) weights for \(shapes[0]))")
                }
                model.layers[index].parameters = [Tensor(shape: shapes[0], scalars: weights), Tensor(shape: shapes[1], scalars: bias)]
            }
            return wanted
        }
        guard let (slot, completed) = try RunFile.newestCheckpoint(file) else {
            throw RunFileError(file: path, "the run recorded no weights and has no checkpoint yet")
        }
        if let epoch, epoch != completed {
            throw RunFileError(file: path, "the run did not record weights (recording.weights: false); only the newest checkpoint's model exists, after \(completed) epochs")
        }
        try model.load(flatParameters: try file.dataset("checkpoint/parameters").readRow(slot, as: Float.self), file: path)
        return completed
    }
}

extension Sequential {
    /// Sets every parameter from one flat array (layer order, weights then bias), the
    /// checkpoint layout.
    mutating func load(flatParameters parameters: [Float], file: String) throws {
        guard parameters.count == parameterCount else {
            throw RunFileError(file: file, "the checkpoint holds \(parameters.count) parameters, the configured model \(parameterCount)")
        }
        var offset = 0
        for l in layers.indices {
            for p in layers[l].parameters.indices {
                let count = layers[l].parameters[p].count
                layers[l].parameters[p].scalars = Array(parameters[offset..<(offset + count)])
                offset += count
            }
        }
    }
}
