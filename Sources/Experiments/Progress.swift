import Foundation
import Networks

/// A progress line on standard error (only when it is a terminal): runs done, epochs,
/// rate and time left. Thread-safe; redrawn at most ten times a second.
public final class ProgressReporter: @unchecked Sendable {
    private let lock = NSLock()
    private let totalEpochs: Int
    private let totalRuns: Int
    private var epochsDone = 0
    private var runsDone = 0
    private let start = Date()
    private var lastDraw = Date.distantPast
    private let enabled: Bool
    private let unit: String

    public init(totalEpochs: Int, totalRuns: Int, enabled: Bool, unit: String = "epochs") {
        self.totalEpochs = max(1, totalEpochs)
        self.totalRuns = totalRuns
        self.enabled = enabled && isatty(2) != 0
        self.unit = unit
    }

    package func epochCompleted() {
        lock.lock()
        epochsDone += 1
        let now = Date()
        let draw = enabled && now.timeIntervalSince(lastDraw) > 0.1
        if draw { lastDraw = now }
        let (done, runs) = (epochsDone, runsDone)
        lock.unlock()
        if draw { render(done: done, runs: runs, now: now) }
    }

    package func runCompleted() {
        lock.lock()
        runsDone += 1
        lock.unlock()
    }

    public func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    private func render(done: Int, runs: Int, now: Date) {
        let elapsed = now.timeIntervalSince(start)
        let rate = Double(done) / max(elapsed, 1e-9)
        let left = Double(totalEpochs - done) / max(rate, 1e-9)
        let width = 24
        let filled = Int(Double(width) * Double(done) / Double(totalEpochs))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: max(0, width - filled))
        let line = String(format: "\r\u{1B}[K%@ runs %d/%d  %@ %d/%d  %.0f/s  ETA %@",
                          bar, runs, totalRuns, unit, done, totalEpochs, rate, Self.clock(left))
        FileHandle.standardError.write(Data(line.utf8))
    }

    package static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// Counts epochs for a ``ProgressReporter``.
package final class ProgressObserver: TrainingObserver {
    package let reporter: ProgressReporter
    package init(_ reporter: ProgressReporter) { self.reporter = reporter }
    package func didEvaluate(_ event: EvaluationEvent) throws {
        if event.completedEpochs > 0 { reporter.epochCompleted() }
    }
}
