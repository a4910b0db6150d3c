import ArgumentParser
import Recording

/// `--epoch`: a logged epoch number or `last`, typed when parsed (a bad value is a usage
/// error, exit 2).
enum EpochChoice: ExpressibleByArgument, Equatable, CustomStringConvertible {
    case last
    case epoch(Int)

    init?(argument: String) {
        if argument == "last" {
            self = .last
        } else if let value = Int(argument), value >= 0 {
            self = .epoch(value)
        } else {
            return nil
        }
    }

    var description: String {
        switch self {
        case .last: return "last"
        case .epoch(let value): return "\(value)"
        }
    }

    /// The epoch number, nil for the last logged one.
    var number: Int? {
        if case .epoch(let value) = self { return value }
        return nil
    }

    /// The position of the chosen epoch among a run's committed logged epochs.
    func position(in run: RunFile) throws -> Int {
        let logged = run.loggedEpochs
        let found: Int?
        switch self {
        case .last: found = logged.indices.last
        case .epoch(let value): found = logged.firstIndex(of: value)
        }
        guard let found else {
            let shown = logged.count > 6 ? logged.prefix(3).map(String.init) + ["…"] + logged.suffix(2).map(String.init) : logged.map(String.init)
            throw InputError("\(run.path): epoch \(self) is not a committed logged epoch (\(logged.count) logged: \(shown.joined(separator: ", ")))")
        }
        return found
    }
}

/// The run file and the logged epoch a command reads (`explain`, `visualize`, `export`).
struct RunEpochOptions: ParsableArguments {
    @Argument(help: "A run file.")
    var path: String

    @Option(help: "A logged epoch, or last.")
    var epoch: EpochChoice = .last
}
