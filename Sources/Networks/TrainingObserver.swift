import RealModule
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
    /// The minibatch's mean loss (nats). The fused steps leave its logarithms to the
    /// first read (off the training's critical path; no observer of the lab reads it),
    /// summing the same terms in the same order, so the value is the same.
    public var loss: Double {
        get {
            switch storedLoss {
            case .value(let value): return value
            case .terms(let terms): return terms.mean
            }
        }
        set { storedLoss = .value(newValue) }
    }
    /// ∂L/∂θ per layer and parameter (`[layer][parameter]`), at the pre-update weights.
    public var gradients: [[Tensor]]
    /// The model with its pre-update weights.
    public var model: Sequential
    var storedLoss: StoredLoss

    enum StoredLoss: Sendable {
        case value(Double)
        case terms(LossTerms)
    }

    public init(epoch: Int, step: Int, batchSize: Int, loss: Double, gradients: [[Tensor]], model: Sequential) {
        (self.epoch, self.step, self.batchSize, self.gradients, self.model) = (epoch, step, batchSize, gradients, model)
        storedLoss = .value(loss)
    }

    init(epoch: Int, step: Int, batchSize: Int, storedLoss: StoredLoss, gradients: [[Tensor]], model: Sequential) {
        (self.epoch, self.step, self.batchSize, self.gradients, self.model) = (epoch, step, batchSize, gradients, model)
        self.storedLoss = storedLoss
    }
}

/// A minibatch's softmax cross-entropy before its logarithms: per sample, the sum of the
/// shifted exponentials and the label's shifted logit (`[sum, shifted]` pairs).
struct LossTerms: Sendable {
    var pairs: [Float]

    /// (1/B) Σ_b [log Σ_k exp(z_bk − max_b) − (z_b,y_b − max_b)], in double, in sample
    /// order: ``SoftmaxCrossEntropy/lossAndGradient(logits:labels:)``'s arithmetic.
    var mean: Double {
        var total = 0.0
        for b in 0..<(pairs.count / 2) { total += Double.log(Double(pairs[2 * b])) - Double(pairs[2 * b + 1]) }
        return total / Double(max(pairs.count / 2, 1))
    }
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
