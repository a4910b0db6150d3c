import Foundation
import HDF5
import Networks
import Tensor

/// Creates the run file's groups, datasets and attributes (all of them, before SWMR
/// writing starts), and sets the final status.
enum RunLayout {
    static func create(in file: H5File, metadata: RunMetadata, model: Sequential, samples: RecordedSamples,
                       optimizer: any Optimizer, options: RecorderOptions) throws {
        try file.setAttribute("format", RunFileFormat.name)
        try file.setAttribute("format_version", RunFileFormat.version)
        try file.setAttribute("tool", metadata.tool)
        try file.setAttribute("created", ISO8601DateFormatter().string(from: Date()))
        try file.setAttribute("experiment", metadata.experiment)
        try file.setAttribute("config", metadata.config)
        try file.setAttribute("seed", Int64(bitPattern: metadata.seed))
        try file.setAttribute("total_epochs", Int64(metadata.totalEpochs))
        try file.setAttribute("log_timing", options.timing.rawValue)
        try file.setAttribute("scheduled_epochs", options.schedule.epochs(total: metadata.totalEpochs).map(Int64.init))
        try file.setAttribute("activation_storage", options.storage.rawValue)
        try file.setAttribute("checkpoint_interval", Int64(options.checkpointInterval))
        try file.setAttribute("blas_core", BLAS.coreName)
        try file.setAttribute("blas_threads", Int32(BLAS.threads))
        try file.setAttribute("status", "running")

        let dataset = try file.createGroup("dataset")
        try dataset.setAttribute("name", samples.datasetName)
        try dataset.setAttribute("class_count", Int32(samples.classCount))
        try dataset.writeDataset("x", samples.inputs.scalars, shape: samples.inputs.shape)
        try dataset.writeDataset("y", samples.labels)
        try dataset.writeDataset("index", samples.rows.map(Int64.init))
        try dataset.writeDataset("split", samples.split)

        let growing = DatasetOptions(chunk: [256], extendible: true)
        _ = try file.createDataset("epochs", of: Int64.self, shape: [0], options: growing)
        let metrics = try file.createGroup("metrics")
        _ = try metrics.createDataset("epoch", of: Int64.self, shape: [0], options: growing)
        for name in RunFileFormat.metricNames {
            _ = try metrics.createDataset(name, of: Double.self, shape: [0], options: growing)
        }

        let sampleCount = samples.rows.count
        let gradients = try file.createGroup("gradients")
        _ = try gradients.createDataset("epochs", of: Int64.self, shape: [0], options: growing)
        for (index, layer) in model.layers.enumerated() {
            let group = try file.createGroup(RunFileFormat.layerGroup(index, layer.name))
            try group.setAttribute("name", layer.name)
            try group.setAttribute("kind", layer.kind)
            try group.setAttribute("activation", layer.activation.rawValue)
            try group.setAttribute("index", Int32(index))
            try group.setAttribute("output_shape", model.outputShapes[index].map(Int64.init))
            let unitShape = model.outputShapes[index]
            let activationOptions = DatasetOptions(chunk: [1, sampleCount] + unitShape, extendible: true, deflate: options.deflate)
            switch options.storage {
            case .float32:
                _ = try group.createDataset("activations", of: Float.self, shape: [0, sampleCount] + unitShape, options: activationOptions)
            case .float16:
                _ = try group.createDataset("activations", of: Float16.self, shape: [0, sampleCount] + unitShape, options: activationOptions)
            }
            if options.recordWeights {
                for (name, parameter) in zip(layer.parameterNames, layer.parameters) {
                    _ = try group.createDataset(name, of: Float.self, shape: [0] + parameter.shape,
                                                options: DatasetOptions(chunk: [1] + parameter.shape, extendible: true))
                }
            }
            if !layer.parameters.isEmpty {
                let statistics = try file.createGroup(RunFileFormat.gradientGroup(index, layer.name))
                try statistics.setAttribute("name", layer.name)
                for name in RunFileFormat.gradientNames {
                    _ = try statistics.createDataset(name, of: Double.self, shape: [0], options: growing)
                }
            }
        }

        let checkpoint = try file.createGroup("checkpoint")
        let parameterCount = model.parameterCount
        let stateCount = parameterCount * optimizer.stateSlotsPerParameter
        try checkpoint.setAttribute("optimizer", String(describing: type(of: optimizer)))
        try checkpoint.setAttribute("state_slots_per_parameter", Int32(optimizer.stateSlotsPerParameter))
        _ = try checkpoint.createDataset("parameters", of: Float.self, shape: [2, parameterCount],
                                         options: DatasetOptions(chunk: [1, max(parameterCount, 1)]))
        _ = try checkpoint.createDataset("optimizer_state", of: Float.self, shape: [2, max(stateCount, 1)],
                                         options: DatasetOptions(chunk: [1, max(stateCount, 1)]))
        try checkpoint.writeDataset("completed_epochs", [Int64(-1), -1])
        try checkpoint.writeDataset("optimizer_steps", [Int64(0), 0])
        try file.flush()
    }

    /// Sets the root `status` attribute to "complete" or "interrupted" (after the SWMR
    /// session has been closed).
    static func markStatus(path: String, complete: Bool) throws {
        let file = try H5File.open(path, mode: .readWrite)
        try file.setAttribute("status", complete ? "complete" : "interrupted")
        try file.flush()
    }
}
