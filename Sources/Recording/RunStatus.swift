import HDF5

/// Where a run file stands, derived from its committed metrics (nothing extra is written,
/// so the status is as crash-safe as the rows it is read from).
public enum RunStatus: String, Sendable, Codable, Equatable {
    /// Every epoch of `total_epochs` has committed metrics and every loss is finite.
    case complete
    /// Fewer epochs are committed than planned (still running, killed, or stopped).
    case incomplete
    /// A committed training loss is NaN or infinite: the optimisation blew up (see
    /// ``RunFile/divergedEpoch``). The rows up to and including that epoch are readable.
    case diverged
}

extension RunFile {
    /// The first 0-based epoch whose updates left a non-finite training loss, from the
    /// committed rows of `metrics/train_loss` (row r holds the state after r epochs).
    /// The initial state (row 0) is not counted: it has no updates.
    static func firstDivergedEpoch(_ file: H5File, committedRows: Int) throws -> Int? {
        guard committedRows > 1 else { return nil }
        let losses = try file.dataset("metrics/train_loss").readRows(0..<committedRows, as: Double.self)
        guard let row = losses.indices.dropFirst().first(where: { !losses[$0].isFinite }) else { return nil }
        return row - 1
    }
}
