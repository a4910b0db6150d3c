import Foundation

/// Which training epochs get their activations (and weights and gradient statistics)
/// recorded. Epoch numbers `k` are 0-based indices of training epochs, `0..<E`; what
/// state "epoch k" means is ``LogTiming``'s business.
public enum LoggingSchedule: Sendable, Equatable {
    /// Every epoch `0..<E`.
    case everyEpoch
    /// Every n-th epoch: 0, n, 2n, … (and the last epoch, E − 1).
    case every(Int)
    /// These epochs (out-of-range ones are dropped, duplicates merged).
    case explicit([Int])
    /// The 2017 code's schedule (IDNNs `get_information`):
    /// `unique(logspace(log2(start), log2(E), count, base=2).astype(int)) − 1`,
    /// i.e. `count` points equally spaced in log₂ between `start` and `E`, truncated to
    /// integers, deduplicated, minus one. 10000 epochs with count 1800 give 964 epochs.
    case logSpaced(count: Int, start: Int = 1)
    /// ibsgd's schedule (Saxe et al. 2018): every epoch below 20, every 5th below 100,
    /// every 20th below 2000, every 100th after; 211 epochs out of 10000.
    case ibsgd

    /// The logged epochs for a run of `total` epochs, ascending.
    public func epochs(total: Int) -> [Int] {
        // A run of no epochs (an imported model recorded as it is) logs its one state.
        guard total > 0 else { return [0] }
        switch self {
        case .everyEpoch:
            return Array(0..<total)
        case .every(let n):
            return Array(Set(stride(from: 0, to: total, by: max(1, n))).union([total - 1])).sorted()
        case .explicit(let list):
            return Array(Set(list.filter { $0 >= 0 && $0 < total })).sorted()
        case .logSpaced(let count, let start):
            guard count > 1 else { return [max(0, start - 1)].filter { $0 < total } }
            // numpy.linspace: start + i·step, the last point exactly `stop`; then 2**y
            // truncated to int (numpy's astype), as the 2017 code does.
            let low = log2(Double(max(start, 1))), high = log2(Double(total))
            let step = (high - low) / Double(count - 1)
            var values = Set<Int>()
            for i in 0..<count {
                let y = i == count - 1 ? high : low + Double(i) * step
                values.insert(Int(pow(2.0, y)) - 1)
            }
            return values.filter { $0 >= 0 && $0 < total }.sorted()
        case .ibsgd:
            return (0..<total).filter { $0 < 20 || ($0 < 100 && $0 % 5 == 0) || ($0 < 2000 && $0 % 20 == 0) || $0 % 100 == 0 }
        }
    }
}

/// What state "logged epoch k" records.
public enum LogTiming: String, Sendable, Codable, CaseIterable {
    /// Before epoch k's updates: the state after k completed epochs (k = 0 is the
    /// initialisation). The 2017 code (IDNNs) logs this way.
    case before
    /// After epoch k's updates: the state after k + 1 completed epochs. ibsgd (Saxe et
    /// al. 2018) logs this way.
    case after

    /// The number of completed epochs of the state recorded as epoch `k`.
    public func completedEpochs(forLogged k: Int) -> Int { self == .before ? k : k + 1 }

    /// The logged epoch number that the state after `completed` epochs stands for, if any.
    public func loggedEpoch(forCompleted completed: Int) -> Int? {
        let k = self == .before ? completed : completed - 1
        return k >= 0 ? k : nil
    }
}
