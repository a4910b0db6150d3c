import Foundation
import Synchronization

/// Progress on standard error: on a terminal, a bar redrawn at most ten times a second
/// (runs done, epochs, rate, time left); otherwise (a log file, `nohup`, `| tee`, a Slurm
/// log) one plain line at most every ten seconds and one per finished run, so a log shows
/// life. Thread-safe.
package final class ProgressReporter: Sendable {
    private struct State {
        var epochsDone = 0
        var runsDone = 0
        var lastDraw = Date.distantPast
    }

    private let state = Mutex(State())
    private let totalEpochs: Int
    private let totalRuns: Int
    private let start = Date()
    private let enabled: Bool
    private let terminal: Bool
    private let unit: String

    /// - Parameter enabled: false silences it (`--quiet`).
    package init(totalEpochs: Int, totalRuns: Int, enabled: Bool, unit: String = "epochs") {
        self.totalEpochs = max(1, totalEpochs)
        self.totalRuns = totalRuns
        self.enabled = enabled
        self.terminal = isatty(2) != 0
        self.unit = unit
    }

    /// Seconds between two plain lines when standard error is not a terminal.
    static let plainInterval = 10.0

    package func epochCompleted() {
        let now = Date()
        let snapshot: (Int, Int)? = state.withLock { s in
            s.epochsDone += 1
            let interval = terminal ? 0.1 : Self.plainInterval
            guard enabled, now.timeIntervalSince(s.lastDraw) > interval else { return nil }
            // The first plain line waits one interval: short commands stay quiet.
            if !terminal && s.lastDraw == .distantPast {
                s.lastDraw = now
                return nil
            }
            s.lastDraw = now
            return (s.epochsDone, s.runsDone)
        }
        if let (done, runs) = snapshot { render(done: done, runs: runs, now: now) }
    }

    package func runCompleted() {
        let (done, runs) = state.withLock { s in
            s.runsDone += 1
            return (s.epochsDone, s.runsDone)
        }
        if enabled && !terminal && totalRuns > 1 && Date().timeIntervalSince(start) > Self.plainInterval {
            render(done: done, runs: runs, now: Date())
        }
    }

    package func finish() {
        guard enabled, terminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    private func render(done: Int, runs: Int, now: Date) {
        let elapsed = now.timeIntervalSince(start)
        let rate = Double(done) / max(elapsed, 1e-9)
        let left = Double(totalEpochs - done) / max(rate, 1e-9)
        guard terminal else {
            let line = String(format: "infoplane: progress: runs %d/%d, %@ %d/%d, %@, ETA %@\n",
                              runs, totalRuns, unit, done, totalEpochs, Self.rate(rate, unit: unit), Self.clock(left))
            FileHandle.standardError.write(Data(line.utf8))
            return
        }
        let width = 24
        let filled = Int(Double(width) * Double(done) / Double(totalEpochs))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: max(0, width - filled))
        let line = String(format: "\r\u{1B}[K%@ runs %d/%d  %@ %d/%d  %@  ETA %@",
                          bar, runs, totalRuns, unit, done, totalEpochs, Self.rate(rate, unit: unit), Self.clock(left))
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// A rate that stays readable when slow: `12/s`, `1.5/s`, or seconds per unit
    /// (`19 s/epoch`) below one per second, where `0/s` said nothing.
    package static func rate(_ perSecond: Double, unit: String) -> String {
        guard perSecond.isFinite, perSecond > 0 else { return "–/s" }
        if perSecond >= 10 { return String(format: "%.0f/s", perSecond) }
        if perSecond >= 1 { return String(format: "%.1f/s", perSecond) }
        let singular = unit.hasSuffix("s") ? String(unit.dropLast()) : unit
        return String(format: "%.2g s/%@", 1 / perSecond, singular)
    }

    package static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
