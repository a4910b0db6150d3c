import Experiments
import Foundation

extension TrainCommand {
    /// A finished run's line: status, path, epochs, time and accuracies (or, for `record`,
    /// the accuracies of the model as it is).
    static func line(for outcome: RunOutcome) -> String {
        var line = "\(outcome.status.rawValue.padding(toLength: outcome.status == .interrupted ? 11 : 8, withPad: " ", startingAt: 0)) \(outcome.path)"
        if let m = outcome.finalMetrics, outcome.status == .trained, outcome.epochs == 0 {
            // `record`: a model evaluated as it is, not trained.
            line = "recorded \(outcome.path)  " + [("train", m.trainAccuracy), ("test", m.testAccuracy)]
                .filter { $0.1.isFinite }.map { String(format: "%@ accuracy %.4f", $0.0, $0.1) }.joined(separator: ", ")
        } else if let m = outcome.finalMetrics {
            // A run on all the data has no test split: say so rather than print nan.
            let test = m.testAccuracy.isFinite ? String(format: "test accuracy %.4f", m.testAccuracy) : "no test split"
            line += String(format: "  %d epochs in %.1f s, train accuracy %.4f, ", outcome.epochs, outcome.seconds, m.trainAccuracy) + test
        }
        if let error = outcome.error { line += "  \(error)" }
        return line
    }
}

/// `word` as a POSIX shell reads it back: bare when it is safe, single-quoted otherwise.
func shellQuoted(_ word: String) -> String {
    let punctuation = Set("-_./=:,@%+".unicodeScalars)
    func plain(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || punctuation.contains(c)
    }
    if !word.isEmpty && word.unicodeScalars.allSatisfy(plain) { return word }
    let escaped = word.replacingOccurrences(of: "'", with: "'\\''")
    return "'" + escaped + "'"
}
