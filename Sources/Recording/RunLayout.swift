import Foundation
import HDF5
import Networks
import Tensor

/// Creates the run file's groups, datasets and attributes, all of them at their final
/// size with their storage allocated, before training starts (see ``RunRecorder`` on
/// why).
enum RunLayout {
    static func create(in file: H5File, metadata: RunMetadata, model: Sequential, samples: RecordedSamples,
                       optimizer: any Optimizer, options: RecorderOptions) throws {
        try file.setAttribute("format", RunFileFormat.name)
        try file.setAttribute("format_version", RunFileFormat.version)
        try file.setAttribute("tool", metadata.tool)
        try file.setAttribute("created", ISO8601DateFormatter().string(from: Date()))
        try file.setAttribute("experiment", metadata.experiment)
        try file.setAttribute("config", metadata.config)
        if !metadata.sweep.isEmpty { try file.setAttribute("sweep", metadata.sweep) }
        if let source = metadata.source {
            try file.setAttribute("model_source", source.path)
            try file.setAttribute("model_source_format", source.format)
            try file.setAttribute("model_source_sha256", source.sha256)
        }
        try file.setAttribute("seed", Int64(bitPattern: metadata.seed))
        try file.setAttribute("total_epochs", Int64(metadata.totalEpochs))
        try file.setAttribute("log_timing", options.timing.rawValue)
        try file.setAttribute("scheduled_epochs", options.schedule.epochs(total: metadata.totalEpochs).map(Int64.init))
        try file.setAttribute("activation_storage", options.storage.rawValue)
        // The model's description (names, kinds, hyperparameters, inputs) as JSON.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try file.setAttribute("model_architecture", String(decoding: try encoder.encode(model.architecture), as: UTF8.self))
        try file.setAttribute("checkpoint_interval", Int64(options.checkpointInterval))
        try file.setAttribute("blas_core", BLAS.coreName)
        try file.setAttribute("blas_threads", Int32(BLAS.threads))

        let dataset = try file.createGroup("dataset")
        try dataset.setAttribute("name", samples.datasetName)
        try dataset.setAttribute("class_count", Int32(samples.classCount))
        try dataset.writeDataset("x", samples.inputs.scalars, shape: samples.inputs.shape)
        try dataset.writeDataset("y", samples.labels)
        try dataset.writeDataset("index", samples.rows.map(Int64.init))
        try dataset.writeDataset("split", samples.split)

        // Commit records hold −1 until written; values NaN; big arrays are left unfilled.
        let scheduled = options.schedule.epochs(total: metadata.totalEpochs)
        let logged = scheduled.count
        let states = metadata.totalEpochs + 1
        _ = try file.createDataset("epochs", of: Int64.self, shape: [logged], options: .preallocated(fill: -1))
        let metrics = try file.createGroup("metrics")
        _ = try metrics.createDataset("epoch", of: Int64.self, shape: [states], options: .preallocated(fill: -1))
        for name in RunFileFormat.metricNames {
            _ = try metrics.createDataset(name, of: Double.self, shape: [states], options: .preallocated(fill: .nan))
        }

        let sampleCount = samples.rows.count
        let gradients = try file.createGroup("gradients")
        _ = try gradients.createDataset("epochs", of: Int64.self, shape: [logged], options: .preallocated(fill: -1))
        for (index, layer) in model.layers.enumerated() {
            let group = try file.createGroup(RunFileFormat.layerGroup(index, layer.name))
            try group.setAttribute("name", layer.name)
            try group.setAttribute("kind", layer.kind.rawValue)
            try group.setAttribute("activation", layer.activation.rawValue)
            try group.setAttribute("index", Int32(index))
            try group.setAttribute("inputs", model.inputs[index].map { $0 < 0 ? ModelDescription.modelInput : model.layers[$0].name }.joined(separator: ","))
            try group.setAttribute("output_shape", model.outputShapes[index].map(Int64.init))
            let shape = [logged, sampleCount] + model.outputShapes[index]
            switch options.storage {
            case .float32: _ = try group.createDataset("activations", of: Float.self, shape: shape, options: .preallocated())
            case .float16: _ = try group.createDataset("activations", of: Float16.self, shape: shape, options: .preallocated())
            }
            if options.recordWeights {
                for (name, parameter) in zip(layer.parameterNames, layer.parameters) {
                    _ = try group.createDataset(name, of: Float.self, shape: [logged] + parameter.shape, options: .preallocated())
                }
            }
            if !layer.parameters.isEmpty {
                let statistics = try file.createGroup(RunFileFormat.gradientGroup(index, layer.name))
                try statistics.setAttribute("name", layer.name)
                for name in RunFileFormat.gradientNames {
                    _ = try statistics.createDataset(name, of: Double.self, shape: [logged], options: .preallocated(fill: .nan))
                }
            }
        }

        let checkpoint = try file.createGroup("checkpoint")
        let parameterCount = model.parameterCount
        let stateCount = parameterCount * optimizer.stateSlotsPerParameter
        try checkpoint.setAttribute("optimizer", String(describing: type(of: optimizer)))
        try checkpoint.setAttribute("state_slots_per_parameter", Int32(optimizer.stateSlotsPerParameter))
        _ = try checkpoint.createDataset("parameters", of: Float.self, shape: [2, max(parameterCount, 1)], options: .preallocated())
        _ = try checkpoint.createDataset("optimizer_state", of: Float.self, shape: [2, max(stateCount, 1)], options: .preallocated())
        _ = try checkpoint.createDataset("completed_epochs", of: Int64.self, shape: [2], options: .preallocated(fill: -1))
        _ = try checkpoint.createDataset("optimizer_steps", of: Int64.self, shape: [2], options: .preallocated(fill: 0))
        try file.flush()
        // Every dataset has its final size: take the disk blocks now, not page by page
        // while training writes (and fail now if the disk is too small).
        try file.reserveDiskSpace()
    }

}
