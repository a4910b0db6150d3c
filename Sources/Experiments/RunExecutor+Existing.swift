import Configuration
import Foundation
import Glibc
import Recording
#if canImport(Glibc)
import SafeFiles
#endif

extension RunExecutor {
    /// Training again into a folder of finished runs does nothing to a run file that is
    /// complete under the same configuration (it is skipped); any other existing file is
    /// refused, saying what to pass: `--resume` for an interrupted run, `--extend-to` for
    /// more epochs, `--force` to replace it. Nothing is replaced silently.
    static func checkComplete(_ job: RunJob) throws(ConfigError) {
        let stored: String, status: RunStatus, total: Int, completed: Int
        do {
            let file = try RunFile.open(job.outputPath)
            (stored, status, total, completed) = (file.config, file.status, file.totalEpochs, file.completedEpochs)
        } catch {
            throw ConfigError(file: job.outputPath, keyPath: "", "run file exists but cannot be read (\(error)); pass --force to replace it")
        }
        let differences = ConfigDifference.runKeys(stored, job.experiment.effectiveYAML)
        if !differences.isEmpty {
            let wanted = job.experiment.config.training.epochs
            let message = differences == ["training.epochs"] && wanted > total
                ? "run file exists with \(total) epochs, the configuration asks for \(wanted); pass --extend-to \(wanted) to train it on, or --force to replace it"
                : "run file exists with another configuration; pass --force to replace it, or give the experiment another name or --results folder"
                    + ConfigDifference.arithmeticAdvice(stored: stored, differences: differences)
            throw ConfigError(file: job.outputPath, keyPath: differences.joined(separator: ", "), message)
        }
        switch status {
        case .complete:
            return
        case .diverged:
            throw ConfigError(file: job.outputPath, keyPath: "", "run file exists and diverged earlier; pass --force to train it again")
        default:
            // Being written by another infoplane right now is not "interrupted".
            do { _ = try WriterLock(for: job.outputPath) } catch let held as WriterLock.Held {
                throw ConfigError(file: job.outputPath, keyPath: "", held.description.replacingOccurrences(of: "\(job.outputPath): ", with: ""))
            } catch {}
            throw ConfigError(file: job.outputPath, keyPath: "",
                              "run file exists, interrupted after \(completed) of \(total) epochs; pass --resume to continue it or --force to replace it")
        }
    }

    /// A complete run that a kill caught during its end-of-run compaction (or an
    /// extension) is finished here, under its writer lock, and said: the leftover
    /// `<run>.compacting` / `<run>.extending` file is removed, and after an interrupted
    /// compaction the run is compacted now when its configuration asks for it. A run
    /// without such a leftover is not rewritten (nothing is, when training again skips
    /// it). A compaction that fails again is a warning.
    func finishInterruptedCompaction(_ job: RunJob) {
        let path = job.outputPath
        var interrupted = false
        for suffix in [".compacting", ".extending"] where FileManager.default.fileExists(atPath: path + suffix) || SafeOpen.isSymbolicLink(path + suffix) {
            guard unlink(path + suffix) == 0 else { continue }
            logger.notice("\(path + suffix): removed (left by an interrupted \(suffix == ".compacting" ? "compaction" : "extension"); the run file is complete)")
            interrupted = interrupted || suffix == ".compacting"
        }
        guard interrupted, job.experiment.config.recording.compact, RunCompaction.isAvailable,
              let compacted = (try? RunFile.open(path)).map(\.compacted), !compacted else { return }
        do {
            let result = try RunCompaction.compact(path)
            logger.notice("\(path): compacted now (\(RunResources.format(bytes: result.before)) → \(RunResources.format(bytes: result.after))): its end-of-run compaction had not finished")
        } catch {
            logger.warning("\(path): complete, but not compacted (it stays contiguous; `infoplane compact` can try again): \(error)")
        }
    }
}
