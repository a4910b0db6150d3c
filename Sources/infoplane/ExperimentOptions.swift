import ArgumentParser
import Configuration
import Experiments
import Logging

/// Options shared by the commands that run experiments (`run`, `train`).
struct ExperimentOptions: ParsableArguments {
    @Argument(help: "An experiment file (YAML), e.g. experiments/quick.yaml.")
    var config: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a key: --set training.epochs=500 (repeatable; the value is YAML).", valueName: "key.path=value"))
    var overrides: [String] = []

    @Option(help: "Runs in parallel (default: the processors this process may use: its affinity mask, or SLURM_CPUS_PER_TASK).")
    var jobs: Int?

    @Option(help: ArgumentHelp("Run only shard i of n (0 ≤ i < n) of the runs (sweep values × repeats), e.g. --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT.", valueName: "i/n"))
    var shard: String?

    @Flag(help: "Continue interrupted run files from their last checkpoint; skip complete ones.")
    var resume = false

    @Flag(help: "Replace existing run files.")
    var force = false

    @Option(help: ArgumentHelp("Train existing runs on to N epochs: each file is rewritten for N epochs (its rows kept) and resumed from its last checkpoint; the configuration must otherwise be the file's. Runs that do not exist yet are trained for N.", valueName: "N"))
    var extendTo: Int?

    @Flag(help: "Keep training a run whose loss or weights became NaN or infinite (by default it stops, marked diverged, exit 1).")
    var continueOnDivergence = false

    @Option(help: ArgumentHelp("The largest run file a plan may write, in GiB; larger plans are refused before training.", valueName: "GiB"))
    var maxFileSize: Double = 16

    @Option(help: "Folder for run files.")
    var results = "results"

    @Option(help: ArgumentHelp("Start from a model of another framework: an ONNX (.onnx), Keras (.keras) or Keras HDF5 (.h5) file whose architecture and weights replace the configuration's `model` (fine-tuning with full recording).", valueName: "model-file"))
    var from: String?

    @Flag(help: "Print what was done as JSON on standard output (each run's status, epochs, time and final metrics; for run also the analyses and figures).")
    var json = false

    @OptionGroup var output: OutputOptions

    /// `--set` overrides, with `--extend-to N` as `training.epochs=N`.
    var effectiveOverrides: [String] { overrides + (extendTo.map { ["training.epochs=\($0)"] } ?? []) }

    func validate() throws {
        if resume && force { throw ValidationError("--resume and --force exclude each other") }
        if extendTo != nil && force { throw ValidationError("--extend-to and --force exclude each other") }
        if let extendTo, !(1...100_000_000).contains(extendTo) { throw ValidationError("--extend-to must be a number of epochs, 1…100000000") }
        if let shard, Shard(shard) == nil {
            throw ValidationError("--shard expects i/n with 0 ≤ i < n ≤ 10000, got \"\(shard)\"")
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if !(maxFileSize > 0 && maxFileSize < 1e9) { throw ValidationError("--max-file-size must be a positive number of GiB") }
    }
}

/// --quiet / --verbose, and the logger they configure.
struct OutputOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print only errors.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Also print what each step does (each run, estimator, figure).")
    var verbose = false

    func logger() -> Logger {
        var logger = Logger(label: "infoplane") { _ in LineLogHandler() }
        logger.logLevel = quiet ? .error : (verbose ? .info : .notice)
        return logger
    }
}
