import Diagnostics

/// A problem in an experiment configuration: which file, where in it, which key, and
/// what is wrong. The command line prints it as `file:line:column: key.path: message`
/// and exits with code 2 before anything runs or is written.
package struct ConfigError: LabError, Equatable {
    /// The input's failure, unless the error it reports (a model file that could not be
    /// read, a full disk met while planning) is the machine's.
    package var failure: FailureKind { cause.map(isRuntimeFailure) == true ? .runtime : .input }
    /// The error underneath, when this one reports another (an importer's, a network's).
    package var cause: (any Error)?

    package var file: String
    /// 1-based line and column of the offending node, when known.
    package var line: Int?
    package var column: Int?
    /// Dotted key path, e.g. `training.optimizer.learning_rate`.
    package var keyPath: String
    package var message: String

    package init(file: String, line: Int? = nil, column: Int? = nil, keyPath: String, _ message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    /// The same place, saying `cause` (its description) and keeping it.
    package init(file: String, line: Int? = nil, column: Int? = nil, keyPath: String, reporting cause: any Error) {
        self.init(file: file, line: line, column: column, keyPath: keyPath, "\(cause)")
        self.cause = cause
    }

    /// Equal when they say the same thing at the same place (a cause is compared by what it says).
    package static func == (a: ConfigError, b: ConfigError) -> Bool {
        (a.file, a.line, a.column, a.keyPath, a.message) == (b.file, b.line, b.column, b.keyPath, b.message)
    }

    package var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        return keyPath.isEmpty ? "\(location): \(message)" : "\(location): \(keyPath): \(message)"
    }
}

/// The closest of `candidates` to `word` by edit distance, if it is close enough to be
/// a plausible typo (at most a third of the word's length, and at least 1 … 3 edits).
package func nearest(_ word: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1] + [Int](repeating: 0, count: b.count)
            for (j, cb) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
    let letters = Array(word.lowercased())
    let scored = candidates.map { ($0, distance(letters, Array($0.lowercased()))) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= max(1, min(3, word.count / 3 + 1)) ? best.0 : nil
}
