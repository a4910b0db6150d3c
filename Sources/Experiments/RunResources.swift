import Configuration
import Foundation
import Networks
import Recording
import SafeFiles
import Tensor

/// What one run will cost, computed from the model and the recording settings before it
/// starts: the run file's size, the memory its largest buffers take, and the arithmetic
/// per epoch. ``RunExecutor/prepare(_:options:)`` refuses plans beyond the machine.
package struct RunResources: Sendable, Equatable {
    /// Bytes the run file will take (its datasets are allocated in full when it starts).
    package var fileBytes: Int
    /// Bytes of the activations of every layer for the recorded samples at one logged
    /// epoch, as the evaluation pass holds them in memory (float32), plus the data.
    package var memoryBytes: Int
    /// Multiply–adds per epoch, forward and backward over the training rows (about 3×
    /// the forward pass's), for a rough time estimate.
    package var flopsPerEpoch: Double
    /// Logged epochs.
    package var loggedEpochs: Int

    /// The costs of training `model` for `epochs` epochs with `recording`, recording
    /// `recordedRows` samples, training on `trainRows`, with `dataValues` input values
    /// held in memory.
    package static func estimate(model: Sequential, epochs: Int, recording: RecordingConfig, recordedRows: Int,
                                trainRows: Int, dataValues: Int) -> RunResources {
        let logged = recording.schedule.epochs(total: epochs).count
        let units = model.outputShapes.reduce(0) { $0 + $1.reduce(1, *) }
        let parameters = model.layers.reduce(0) { $0 + $1.parameters.reduce(0) { $0 + $1.count } }
        let activationBytes = Double(recordedRows) * Double(units) * (recording.storage == .float16 ? 2 : 4)
        let weightBytes = recording.weights ? Double(parameters) * 4 : 0
        let weighted = model.layers.filter { !$0.parameters.isEmpty }.count
        var file = Double(logged) * (activationBytes + weightBytes + Double(weighted) * 4 * 8)
        file += Double(epochs + 1) * 5 * 8                                  // metrics
        file += 2 * Double(parameters) * 4 * 3                              // two checkpoint slots (weights + optimizer state)
        file += Double(recordedRows) * Double(model.inputShape.reduce(1, *)) * 4 + Double(recordedRows) * 13
        file += Double(model.layers.count) * 4096 + 65536                   // groups, attributes, config
        let memory = Double(recordedRows) * Double(units) * 4 + Double(dataValues) * 4 + Double(parameters) * 4 * 6
        let flops = 3 * Double(trainRows) * Double(Self.forwardMultiplyAdds(model))
        return RunResources(fileBytes: Self.clamp(file), memoryBytes: Self.clamp(memory), flopsPerEpoch: flops, loggedEpochs: logged)
    }

    /// Multiply–adds of one sample's forward pass: each layer's parameters times its
    /// output positions (1 for dense layers, h × w for convolutions).
    package static func forwardMultiplyAdds(_ model: Sequential) -> Int {
        var total = 0
        for (layer, shape) in zip(model.layers, model.outputShapes) {
            guard let weights = layer.parameters.first else { continue }
            let positions = shape.count == 3 ? shape[0] * shape[1] : 1
            total += weights.count * positions
        }
        return total
    }

    package static func clamp(_ value: Double) -> Int { value >= Double(Int.max / 2) ? Int.max / 2 : Int(value) }

    /// A size in readable units (GiB, MiB, KiB).
    package static func format(bytes: Int) -> String { MemoryBudget.format(bytes: bytes) }

    /// Bytes free for an unprivileged writer on the file system that holds `path` (or
    /// its nearest existing ancestor), if the system says; 0 on a read-only file system.
    package static func freeBytes(near path: String) -> Int? {
        switch FreeSpace.room(near: path) {
        case .free(let bytes)?: bytes
        case .readOnly?: 0
        case nil: nil
        }
    }

    /// Whether the file system that holds `path` is mounted read-only.
    package static func isReadOnly(near path: String) -> Bool { FreeSpace.room(near: path) == .readOnly }

}

/// Limits a plan must stay within; `run` and `train` take them from options.
package struct ResourceLimits: Sendable {
    /// The largest run file allowed (default 16 GiB).
    package var maximumFileBytes: Int
    /// The most memory one run's buffers may take (default: half the physical memory,
    /// or what an address-space limit leaves, divided among the runs that go at once).
    package var maximumMemoryBytes: Int

    /// Half the physical memory, or less under `ulimit -v` (``AddressSpace``).
    package static var defaultMemoryBytes: Int { MemoryBudget.bytes }

    package init(maximumFileBytes: Int = 16 << 30, maximumMemoryBytes: Int = ResourceLimits.defaultMemoryBytes) {
        self.maximumFileBytes = maximumFileBytes
        self.maximumMemoryBytes = maximumMemoryBytes
    }
}
