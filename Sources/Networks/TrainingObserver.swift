import Tensor

/// Inputs with integer class labels, `inputs: [sample, ...]`, `labels: [sample]`.
public struct Examples: Sendable {
    public var inputs: Tensor
    public var labels: [Int32]

    public init(inputs: Tensor, labels: [Int32]) {
        precondition(inputs.rows == labels.count, "Examples: \(labels.count) labels for \(inputs.rows) inputs")
        self.inputs = inputs
        self.labels = labels
    }

    public var count: Int { labels.count }
}

/// Loss (nats, mean over samples) and accuracy (fraction correct) on the training and
/// the test rows, computed by a full forward pass after an epoch's updates.
public struct EpochMetrics: Sendable, Equatable {
    public var trainLoss: Double
    public var trainAccuracy: Double
    /// `nan` when there are no test rows.
    public var testLoss: Double
    public var testAccuracy: Double
}

/// One minibatch's gradients, seen before the optimizer applies them.
public struct MinibatchEvent: Sendable {
    /// The epoch being trained (0-based).
    public var epoch: Int
    /// The minibatch's index within the epoch.
    public var step: Int
    /// Number of samples in this minibatch.
    public var batchSize: Int
    /// The minibatch's mean loss (nats).
    public var loss: Double
    /// ∂L/∂θ per layer and parameter (`[layer][parameter]`), at the pre-update weights.
    public var gradients: [[Tensor]]
    /// The model with its pre-update weights.
    public var model: Sequential
}

/// The model's state after `completedEpochs` epochs of updates (0: at initialisation).
public struct EvaluationEvent {
    public var completedEpochs: Int
    public var model: Sequential
    /// The optimizer with its state after `completedEpochs` epochs (for checkpoints).
    public var optimizer: any Optimizer
    public var metrics: EpochMetrics
    /// When the observer asked for them: each layer's outputs for the observer's rows,
    /// `[row, unit...]` in the order of ``TrainingObserver/observedRows``.
    public var layerOutputs: [Tensor]?
}

/// Watches training: every minibatch's gradients and the state after every epoch.
///
/// "Epoch k" in the sense of the 2017 code (logged *before* epoch k's updates) is the
/// state after `k` completed epochs; in the sense of ibsgd (logged *after*), after
/// `k + 1`. The trainer reports every state from 0 to the number of epochs, so either
/// convention can be recorded.
public protocol TrainingObserver: AnyObject {
    /// Rows of the training ``Examples`` whose layer outputs this observer wants.
    var observedRows: [Int] { get }
    /// Whether to hand this observer the layer outputs after `completedEpochs` epochs.
    func wantsLayerOutputs(completedEpochs: Int) -> Bool
    /// Called for every minibatch with its gradients, before the update.
    func didComputeGradients(_ event: MinibatchEvent) throws
    /// Called after initialisation and after every epoch.
    func didEvaluate(_ event: EvaluationEvent) throws
}

extension TrainingObserver {
    public var observedRows: [Int] { [] }
    public func wantsLayerOutputs(completedEpochs: Int) -> Bool { false }
    public func didComputeGradients(_ event: MinibatchEvent) throws {}
    public func didEvaluate(_ event: EvaluationEvent) throws {}
}
