import Configuration
import Foundation
import HDF5
import Information
import Recording
import SafeFiles

/// Analysis on a cluster: `analyze --shard i/n` analyses every n-th run into a shard file;
/// `analyze --merge` joins the shards into the analysis one node would have written (every
/// dataset equal, bit for bit: per-run values are copied, and the statistics across runs are
/// computed from them by the same code).
extension ExperimentAnalysis {
    /// The default shard file beside a folder's runs: `analysis.shard-<i>-of-<n>.h5`.
    package static func shardFile(folder: String, index: Int, count: Int) -> String {
        (folder as NSString).appendingPathComponent("analysis.shard-\(index)-of-\(count).h5")
    }

    /// The runs of shard `index` of `count`: every `count`-th of the sorted runs.
    package static func shard(_ runs: [String], index: Int, count: Int) -> [String] {
        runs.sorted().enumerated().filter { $0.offset % count == index }.map(\.element)
    }

    /// The shard files of a folder, grouped by their shard count; names with counts out
    /// of range (more than `Shard.maximumCount`, an index not below the count) are not shards.
    package static func shardFiles(in folder: String) -> [Int: [String]] {
        var groups: [Int: [String]] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            let parts = name.split(separator: ".")
            guard parts.count == 3, parts[0] == "analysis", parts[2] == "h5", parts[1].hasPrefix("shard-") else { continue }
            let numbers = parts[1].dropFirst("shard-".count).split(separator: "-")
            // Bounded counts: a name like shard-0-of-9223372036854775807 is not a shard of ours.
            guard numbers.count == 3, numbers[1] == "of", let count = Int(numbers[2]), let index = Int(numbers[0]),
                  Shard(index: index, count: count) != nil,
                  name == "analysis.shard-\(index)-of-\(count).h5" else { continue }
            groups[count, default: []].append((folder as NSString).appendingPathComponent(name))
        }
        return groups.mapValues { $0.sorted() }
    }

    /// Joins shard analyses (of one experiment variant, disjoint runs, the same estimators,
    /// epochs and layers) into `output`.
    package func merge(_ shards: [String], output: String, force: Bool, csv: String?, tool: String) throws -> Outcome {
        let start = Date()
        guard !shards.isEmpty else { throw AnalysisError(file: output, "no shard files to merge") }
        try OutputFile.check(output, inputs: shards, force: true)
        let lock = try WriterLock(for: output)
        defer { withExtendedLifetime(lock) {} }
        let parts = try shards.map { try AnalysisFile.read($0) }
        for part in parts { _ = try part.runFiles() }
        let first = parts[0]
        for (path, part) in zip(shards, parts) {
            guard part.formatVersion >= 2 else { throw AnalysisError(file: path, "a format-1 analysis cannot be merged (no run digests)") }
            if part.experiment != first.experiment || part.sweep != first.sweep {
                throw AnalysisError(file: path, "is an analysis of \(part.experiment)\(part.variant.map { " (\($0))" } ?? ""), \(shards[0]) of \(first.experiment)\(first.variant.map { " (\($0))" } ?? "")")
            }
            if part.epochs != first.epochs || part.layers != first.layers || part.snrEpochs != first.snrEpochs {
                throw AnalysisError(file: path, "has other logged epochs or layers than \(shards[0]); shards must come from runs of one plan")
            }
            if part.labels != first.labels {
                throw AnalysisError(file: path, "holds estimators \(part.labels.joined(separator: ", ")), \(shards[0]) \(first.labels.joined(separator: ", ")); add the missing ones to every shard first")
            }
        }
        // Every run once, in the order one node would list them.
        let folder = PathComponent.folder(of: output)
        var runs: [(run: AnalysedRun, part: Int, index: Int)] = []
        for (p, part) in parts.enumerated() {
            for (r, run) in part.analysedRuns.enumerated() {
                var rebased = run
                rebased.path = try Self.confinedRelativePath(part.runs[r], from: folder)
                runs.append((rebased, p, r))
            }
        }
        var seen = Set<String>()
        if let twice = runs.map(\.run.path).first(where: { !seen.insert($0).inserted }) {
            throw AnalysisError(file: output, "\(twice) is in more than one shard")
        }
        runs.sort { $0.run.path < $1.run.path }
        let identities = runs.map(\.run)
        if FileManager.default.fileExists(atPath: output) {
            guard AnalysisFile.isAnalysisFile(output) else {
                throw AnalysisError(file: output, "exists and is not an infoplane analysis file; choose another -o")
            }
            let existing = try AnalysisFile.read(output)
            if let difference = Self.difference(stored: existing, runs: identities, experiment: first.experiment, sweep: first.sweep), !force {
                throw AnalysisError(file: output, "\(difference); pass --force to replace it")
            }
        }
        let analyses = runs.map { entry -> RunAnalysis in
            let part = parts[entry.part], r = entry.index
            return RunAnalysis(path: part.runs[r], seed: entry.run.seed, epochs: part.epochs, layerNames: part.layers,
                               ixt: part.ixtRuns.mapValues { $0[r] }, ity: part.ityRuns.mapValues { $0[r] },
                               snrEpochs: part.snrEpochs,
                               snr: part.layers.indices.map { l in part.snrRuns.indices.contains(r) ? part.snrRuns[r].map { $0[l] } : [] },
                               snrTransition: part.transitionRuns.indices.contains(r) ? part.transitionRuns[r] : Array(repeating: nil, count: part.layers.count))
        }
        let header = AnalysisFile.Header(experiment: first.experiment, sweep: first.sweep, tool: tool, runs: identities,
                                         epochs: first.epochs, layers: first.layers, pairs: first.pairs)
        try OutputFile.replaceAtomically(output) { temporary in
            try AnalysisFile.create(temporary, header: header, runs: analyses)
            let file = try H5File.open(temporary, mode: .readWrite)
            for label in first.labels {
                _ = try AnalysisFile.addEstimator(label, summary: first.descriptions[label] ?? "", argument: first.arguments[label] ?? "",
                                                  to: file, header: header, ixt: analyses.map { $0.ixt[label] ?? [] }, ity: analyses.map { $0.ity[label] ?? [] })
            }
            try file.flush()
        }
        let contents = try AnalysisFile.read(output)
        if let csv { try AtomicFile.write(AnalysisFile.csv(contents), to: csv) }
        // The main estimator from the runs' configuration, when the first run is at hand.
        let run = (try? contents.runFiles().first).flatMap { try? RunFile.open($0) }
        var outcome = Self.outcome(contents, config: run?.config, configFile: run?.path ?? output, computed: [], kept: [], replaced: nil, note: nil,
                                   seconds: Date().timeIntervalSince(start))
        outcome.mergedShards = shards.count
        return outcome
    }
}
