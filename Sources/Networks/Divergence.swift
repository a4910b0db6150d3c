import Diagnostics

/// Training that produced a non-finite loss or parameter: the run cannot recover.
///
/// A learning rate far too high (SGD at 100 on tanh or linear units) overflows the
/// weights within an epoch; every later loss is NaN and every activation NaN or ±∞.
/// The trainer checks after every epoch (after the observers have seen that epoch, so a
/// recorder keeps the diverged state) and stops with this error unless told to go on.
public struct TrainingDiverged: LabError, Equatable {
    public var failure: FailureKind { .runtime }

    /// The 0-based epoch whose updates produced the non-finite state.
    public var epoch: Int
    /// The training loss after that epoch (the test loss when there are no training rows).
    public var loss: Double
    /// The first layer with a non-finite parameter, if any.
    public var layer: String?

    public init(epoch: Int, loss: Double, layer: String?) {
        self.epoch = epoch
        self.loss = loss
        self.layer = layer
    }

    public var description: String {
        // NaN's sign bit carries no meaning; print "nan", not "-nan".
        let value = loss.isNaN ? "nan" : "\(loss)"
        var text = "diverged at epoch \(epoch) (loss \(value)"
        if let layer { text += ", non-finite parameters in \(layer)" }
        return text + "); lower the learning rate"
    }
}

extension Sequential {
    /// The name of the first layer with a NaN or infinite parameter, if any.
    /// - Complexity: O(parameters).
    public func firstNonFiniteLayer() -> String? {
        for layer in layers {
            for parameter in layer.parameters where parameter.scalars.contains(where: { !$0.isFinite }) {
                return layer.name
            }
        }
        return nil
    }
}
