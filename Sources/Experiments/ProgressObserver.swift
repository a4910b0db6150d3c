import Console
import Networks

/// Counts epochs for a ``ProgressReporter``.
package final class ProgressObserver: TrainingObserver {
    package let reporter: ProgressReporter
    package init(_ reporter: ProgressReporter) { self.reporter = reporter }
    package func didEvaluate(_ event: EvaluationEvent) throws {
        if event.completedEpochs > 0 { reporter.epochCompleted() }
    }
}
