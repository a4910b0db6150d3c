import Foundation

/// One training run: a variant of an experiment with one seed, and its run file.
package struct RunJob: Sendable {
    package var experiment: Experiment
    /// 0-based repeat index; the seed is `config.seed + repeat`.
    package var repeatIndex: Int
    package var seed: UInt64
    package var outputPath: String
}

/// The runs of an experiment (sweep variants × repeats) and their split into shards.
package enum RunPlan {
    /// Every run, variants in sweep order, repeats within each: the order shards slice.
    package static func jobs(for experiments: [Experiment], resultsRoot: String) -> [RunJob] {
        experiments.flatMap { experiment in
            (0..<experiment.config.repeats).map { r in
                let seed = experiment.config.seed + UInt64(r)
                var folder = "\(resultsRoot)/\(experiment.config.name)"
                if let variant = experiment.variant { folder += "/\(variant)" }
                return RunJob(experiment: experiment, repeatIndex: r, seed: seed, outputPath: "\(folder)/run-\(seed).h5")
            }
        }
    }

    /// The `index`-th of `count` disjoint shards (0-based): every run whose position in
    /// ``jobs(for:resultsRoot:)`` is `index` modulo `count`. The shards of one plan
    /// partition its runs, so a job array that runs shards 0…count−1 runs each once.
    package static func shard(_ jobs: [RunJob], index: Int, count: Int) -> [RunJob] {
        jobs.enumerated().filter { $0.offset % count == index }.map(\.element)
    }
}
