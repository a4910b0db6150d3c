import Configuration
import Console
import Foundation
import HDF5
import Information
import Logging
import Recording
import SafeFiles
import Tensor

/// `infoplane analyze`: the information-plane analysis of run files into a named,
/// cumulative analysis file (``AnalysisFile``), one per folder of runs by default.
///
/// The file records which runs it was computed from (paths, seeds, SHA-256 digests).
/// Analysing the same runs again computes only the estimators the file lacks and adds
/// them (the groups already there are copied byte for byte); another set of runs, or
/// runs that changed since, is refused unless the caller replaces the file.
package struct ExperimentAnalysis {
    package var logger: Logger

    package init(logger: Logger) { self.logger = logger }

    /// The run files under `paths` (files, or folders searched recursively for
    /// `run-*.h5`), grouped by folder.
    package static func collect(_ paths: [String]) throws(ConfigError) -> [String: [String]] {
        var groups: [String: [String]] = [:]
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ConfigError(file: path, keyPath: "", "no such file or folder")
            }
            if isDirectory.boolValue {
                let enumerator = FileManager.default.enumerator(atPath: path)
                while let relative = enumerator?.nextObject() as? String {
                    let name = (relative as NSString).lastPathComponent
                    if name.hasPrefix("run-") && name.hasSuffix(".h5") {
                        let full = (path as NSString).appendingPathComponent(relative)
                        groups[PathComponent.folder(of: full), default: []].append(full)
                    }
                }
            } else {
                groups[PathComponent.folder(of: path), default: []].append(path)
            }
        }
        return groups.mapValues { $0.sorted() }
    }

    /// What to analyse and where to put it.
    package struct Request: Sendable {
        package var runs: [String]
        /// The analysis file.
        package var output: String
        /// nil: the estimators of the runs' configuration (`analysis.estimators`).
        package var estimators: [EstimatorSpec]?
        /// Replace an analysis of other (or changed) runs instead of refusing.
        package var force = false
        /// Replace an analysis of other or changed runs with a notice instead of refusing:
        /// for `run`, whose runs were just (re)trained.
        package var replaceStale = false
        /// Where to write the CSV table, if anywhere.
        package var csv: String?
        package var tool: String
        package var showProgress = false
        /// Analyse runs that are incomplete (killed, or still being written) up to their
        /// last committed epoch; without it they are refused, naming each.
        package var includeIncomplete = false
        /// Compute k-NN estimates of runs stored as float16 instead of refusing them
        /// (``refuseKNNOnFloat16(_:estimators:)``).
        package var acceptFloat16KNN = false

        package init(runs: [String], output: String, estimators: [EstimatorSpec]? = nil, force: Bool = false,
                     replaceStale: Bool = false, csv: String? = nil, tool: String, showProgress: Bool = false,
                     includeIncomplete: Bool = false, acceptFloat16KNN: Bool = false) {
            self.includeIncomplete = includeIncomplete
            self.acceptFloat16KNN = acceptFloat16KNN
            self.runs = runs
            self.output = output
            self.estimators = estimators
            self.force = force
            self.replaceStale = replaceStale
            self.csv = csv
            self.tool = tool
            self.showProgress = showProgress
        }
    }

    package struct Outcome: Sendable {
        package var output: String
        package var runs: Int
        package var epochs: Int
        /// Labels computed now, and labels the file already held for these runs.
        package var computed: [String]
        package var kept: [String]
        /// Why an existing file was replaced (with `--force`, or by `run`).
        package var replaced: String?
        /// The number of shard files joined (`--merge`).
        package var mergedShards: Int? = nil
        package var seconds: Double
        package var note: String?
        /// Per estimator label in the file: the number of DPI violations and the largest, in bits.
        package var dpi: [(label: String, count: Int, largest: Double)]
        /// Per layer: the median SNR transition epoch over the runs, and the median epoch of
        /// the I(X;T) peak under the main estimator.
        package var phases: [(layer: String, transition: Double?, peak: Double?)]
        /// The main estimator: the runs' first configured one the file holds
        /// (``AnalysisFile/Contents/mainLabel(configuredIn:file:)``), named beside the peaks.
        package var mainLabel: String?
        /// What the reader must know about the numbers computed now (a fixed binning range
        /// that leaves out more than 1% of a layer's values).
        package var warnings: [String] = []
    }

    /// Analyses `request.runs` into `request.output`.
    package func analyze(_ request: Request) throws -> Outcome {
        let start = Date()
        guard !request.runs.isEmpty else { throw AnalysisError(file: request.output, "no run files to analyse") }
        try OutputFile.check(request.output, inputs: request.runs, force: true)
        let lock = try WriterLock(for: request.output)
        defer { withExtendedLifetime(lock) {} }

        let files = try request.runs.map { try RunFile.open($0) }
        try Self.checkConsistent(files)
        if !request.includeIncomplete { try Self.refuseIncomplete(files) }
        let first = files[0]
        let estimators: [EstimatorSpec]
        if let given = request.estimators {
            estimators = given
        } else {
            estimators = try AnalysisConfig.stored(first.config, file: "\(first.path) (config attribute)").estimators
        }
        if !request.acceptFloat16KNN { try Self.refuseKNNOnFloat16(files, estimators: estimators) }
        let identities = try Self.identify(files, relativeTo: PathComponent.folder(of: request.output))

        // What the file holds already, and whether it may be kept.
        var existing: AnalysisFile.Contents?
        var replaced: String?
        if FileManager.default.fileExists(atPath: request.output) {
            // Only an analysis file is ever replaced: anything else may be someone's data.
            guard AnalysisFile.isAnalysisFile(request.output) else {
                throw AnalysisError(file: request.output, "exists and is not an infoplane analysis file; choose another -o")
            }
            let contents = try AnalysisFile.read(request.output)
            if let difference = Self.difference(stored: contents, runs: identities, experiment: first.experiment, sweep: first.sweep) {
                guard request.force || request.replaceStale else {
                    throw AnalysisError(file: request.output, "\(difference); pass --force to replace it, or -o to write another file")
                }
                replaced = difference
            } else {
                existing = contents
            }
        }
        return try write(request, files: files, identities: identities, estimators: estimators, keep: existing, replaced: replaced, start: start)
    }

    private func write(_ request: Request, files: [RunFile], identities: [AnalysedRun], estimators: [EstimatorSpec],
                       keep existing: AnalysisFile.Contents?, replaced: String?, start: Date) throws -> Outcome {
        let kept = existing?.labels ?? []
        // One spec per label set; specs whose every label is in the file are not recomputed.
        var seen = Set(kept), specs: [EstimatorSpec] = []
        for spec in estimators where !spec.labels.allSatisfy(seen.contains) {
            specs.append(spec)
            seen.formUnion(spec.labels)
        }
        let newFile = existing == nil
        var note: String?
        var warnings: [String] = []
        if newFile || !specs.isEmpty {
            let analyses = try Self.compute(files, estimators: specs, gradients: newFile, showProgress: request.showProgress)
            warnings = Self.clippingWarnings(analyses, specs: specs)
            let header = Self.header(files: files, identities: identities, tool: request.tool, note: &note)
            if let existing, existing.epochs != header.epochs || existing.layers != header.layers {
                throw AnalysisError(file: request.output, "holds epochs or layers other than its runs' (a damaged file?); pass --force to replace it")
            }
            try OutputFile.replaceAtomically(request.output) { temporary in
                if newFile {
                    try AnalysisFile.create(temporary, header: header, runs: analyses)
                } else {
                    try FileManager.default.copyItem(atPath: request.output, toPath: temporary)
                }
                let file = try H5File.open(temporary, mode: .readWrite)
                for spec in specs {
                    for label in spec.labels where !kept.contains(label) {
                        let count = header.epochs.count
                        _ = try AnalysisFile.addEstimator(label, summary: spec.summary, argument: spec.argument(for: label), to: file, header: header,
                                                          ixt: analyses.map { Array(($0.ixt[label] ?? []).prefix(count)) },
                                                          ity: analyses.map { Array(($0.ity[label] ?? []).prefix(count)) })
                    }
                }
                try file.flush()
            }
        }
        let contents = try AnalysisFile.read(request.output)
        if let csv = request.csv {
            try AtomicFile.write(AnalysisFile.csv(contents), to: csv)
        }
        var outcome = Self.outcome(contents, config: files[0].config, configFile: files[0].path,
                                   computed: specs.flatMap(\.labels).filter { !kept.contains($0) }, kept: kept,
                                   replaced: replaced, note: note, seconds: Date().timeIntervalSince(start))
        outcome.warnings = warnings
        return outcome
    }

    /// The runs of one analysis must be repeats of one experiment variant.
    static func checkConsistent(_ files: [RunFile]) throws {
        let first = files[0]
        for file in files.dropFirst() {
            if file.experiment != first.experiment {
                throw AnalysisError(file: file.path, "belongs to experiment \"\(file.experiment)\", \(first.path) to \"\(first.experiment)\"; analyse them separately (-o)")
            }
            if file.sweep != first.sweep {
                throw AnalysisError(file: file.path, "is the sweep variant \(file.sweep.isEmpty ? "(none)" : AnalysisFile.variantText(file.sweep)), \(first.path) is \(first.sweep.isEmpty ? "(none)" : AnalysisFile.variantText(first.sweep)); analyse them separately (-o)")
            }
            if file.layers.map(\.name) != first.layers.map(\.name) {
                throw AnalysisError(file: file.path, "has layers \(file.layers.map(\.name).joined(separator: ", ")), \(first.path) has \(first.layers.map(\.name).joined(separator: ", ")); analyse them separately (-o)")
            }
        }
        let seeds = files.map(\.seed)
        if Set(seeds).count != seeds.count {
            throw AnalysisError(file: first.path, "two run files have the same seed (\(seeds.map(String.init).joined(separator: ", "))): copies of one run?")
        }
    }

    /// Paths relative to the analysis file's folder, seeds, digests (read in parallel).
    static func identify(_ files: [RunFile], relativeTo folder: String) throws -> [AnalysedRun] {
        let paths = files.map(\.path)
        let digests = ConcurrentSlots<Result<String, any Error>>(count: files.count)
        Parallel.perform(iterations: files.count) { index in
            digests.set(index, Result { try FileDigest.sha256(of: paths[index]) })
        }
        return try files.indices.map { index in
            AnalysedRun(path: try confinedRelativePath(files[index].path, from: folder), seed: files[index].seed, digest: try digests.values[index].get())
        }
    }

    /// Incomplete runs, refused by name: each one still being written (its writer holds
    /// the lock) or interrupted, with the epochs it committed.
    static func refuseIncomplete(_ files: [RunFile]) throws {
        let unfinished = files.filter { $0.status == .incomplete }
        guard let first = unfinished.first else { return }
        let described = unfinished.prefix(3).map { file -> String in
            let writing: Bool
            do {
                let lock = try WriterLock(for: file.path)
                withExtendedLifetime(lock) {}
                writing = false
            } catch is WriterLock.Held { writing = true } catch { writing = false }
            return "\(file.path) (\(writing ? "still being written" : "interrupted"), \(file.completedEpochs) of \(file.totalEpochs) epochs)"
        }
        let more = unfinished.count > 3 ? " and \(unfinished.count - 3) more" : ""
        throw AnalysisError(file: first.path, "incomplete runs: \(described.joined(separator: ", "))\(more); finish them (train --resume) or pass --include-incomplete to analyse their committed epochs")
    }

    /// `path` relative to the analysis file's `folder`, which must hold it (directly or
    /// below): an analysis file reads runs only inside its own folder tree
    /// (``AnalysisFile/confinedRunPath(_:folder:file:version:)``).
    static func confinedRelativePath(_ path: String, from folder: String) throws -> String {
        let relative = relativePath(path, from: folder)
        guard AnalysisFile.isConfined(relative) else {
            throw AnalysisError(file: path, "is not in the analysis file's folder (\(folder.isEmpty ? "." : folder)) or below it; write the analysis (-o) beside or above its runs")
        }
        return relative
    }

    /// `path` relative to `folder` (both resolved against the current directory).
    static func relativePath(_ path: String, from folder: String) -> String {
        let target = URL(fileURLWithPath: path).standardizedFileURL.pathComponents
        let base = URL(fileURLWithPath: folder.isEmpty ? "." : folder).standardizedFileURL.pathComponents
        var common = 0
        while common < min(target.count, base.count) - (target.count <= base.count ? 1 : 0), target[common] == base[common] { common += 1 }
        if common <= 1 { return URL(fileURLWithPath: path).standardizedFileURL.path }
        let ups = Array(repeating: "..", count: base.count - common)
        return (ups + target[common...]).joined(separator: "/")
    }

    /// Why a stored analysis is not of `runs` (nil: it is).
    static func difference(stored: AnalysisFile.Contents, runs: [AnalysedRun], experiment: String, sweep: String) -> String? {
        if stored.formatVersion < 2 {
            return "holds an analysis in format version \(stored.formatVersion), which recorded no run digests"
        }
        if stored.experiment != experiment {
            return "holds an analysis of experiment \"\(stored.experiment)\", not \"\(experiment)\""
        }
        if stored.sweep != sweep {
            return "holds the sweep variant \(stored.variant ?? "(none)"), not \(sweep.isEmpty ? "(none)" : AnalysisFile.variantText(sweep))"
        }
        let old = Dictionary(stored.analysedRuns.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        let new = Dictionary(runs.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        let missing = stored.analysedRuns.map(\.path).filter { new[$0] == nil }
        let added = runs.map(\.path).filter { old[$0] == nil }
        let changed = runs.filter { run in old[run.path].map { $0.digest != run.digest || $0.seed != run.seed } ?? false }.map(\.path)
        if missing.isEmpty && added.isEmpty && changed.isEmpty { return nil }
        func list(_ names: [String]) -> String { names.count > 4 ? names.prefix(3).joined(separator: ", ") + " and \(names.count - 3) more" : names.joined(separator: ", ") }
        var parts: [String] = []
        if !missing.isEmpty { parts.append("not given now: \(list(missing))") }
        if !added.isEmpty { parts.append("new: \(list(added))") }
        if !changed.isEmpty { parts.append("changed since (digest differs): \(list(changed))") }
        return "holds the analysis of \(stored.analysedRuns.count) run\(stored.analysedRuns.count == 1 ? "" : "s"), these are \(runs.count) (\(parts.joined(separator: "; ")))"
    }

    /// Runs are independent: analyse them on all cores (each estimator is itself
    /// single-threaded except KDE, whose row blocks share the cores).
    static func compute(_ files: [RunFile], estimators: [EstimatorSpec], gradients: Bool, showProgress: Bool) throws -> [RunAnalysis] {
        let paths = files.map(\.path)
        let results = ConcurrentSlots<Result<RunAnalysis, any Error>>(count: files.count)
        let progress = ProgressReporter(totalEpochs: estimators.isEmpty ? 0 : files.count * files[0].loggedEpochs.count, totalRuns: files.count,
                                        enabled: showProgress && !estimators.isEmpty, unit: "epochs analysed")
        Parallel.perform(iterations: files.count) { index in
            results.set(index, Result { try RunAnalysis.analyze(RunFile.open(paths[index]), estimators: estimators, gradients: gradients,
                                                                epochDone: { progress.epochCompleted() }) })
            progress.runCompleted()
        }
        progress.finish()
        return try results.values.map { try $0.get() }
    }

    /// The axes shared by all groups: logged epochs common to all runs (cut to the
    /// shortest, with a note), layers, identities.
    static func header(files: [RunFile], identities: [AnalysedRun], tool: String, note: inout String?) -> AnalysisFile.Header {
        let counts = files.map(\.loggedEpochs.count)
        let count = counts.min() ?? 0
        if counts.contains(where: { $0 != count }) {
            note = "runs have \(count)…\(counts.max() ?? count) logged epochs; all cut to the first \(count)"
        }
        return AnalysisFile.Header(experiment: files[0].experiment, sweep: files[0].sweep, tool: tool, runs: identities,
                                   epochs: Array(files[0].loggedEpochs.prefix(count)), layers: files[0].layers.map(\.name),
                                   pairs: files[0].dominatorPairs)
    }

    /// - Parameters:
    ///   - config: the runs' stored configuration (its first estimator is the main one), nil when no run is at hand.
    static func outcome(_ contents: AnalysisFile.Contents, config: String?, configFile: String, computed: [String], kept: [String], replaced: String?,
                        note: String?, seconds: Double) -> Outcome {
        let dpi = contents.labels.map { label -> (label: String, count: Int, largest: Double) in
            let violations = DPICheck.violations(ixt: contents.ixtRuns[label] ?? [], ity: contents.ityRuns[label] ?? [], epochs: contents.epochs,
                                                 pairs: contents.pairs)
            return (label, violations.count, violations.map(\.size).max() ?? 0)
        }
        let main = contents.mainLabel(configuredIn: config, file: configFile)
        let phases = contents.layers.indices.map { l -> (layer: String, transition: Double?, peak: Double?) in
            let peaks = (main.flatMap { contents.ixtRuns[$0] } ?? []).compactMap { run -> Double? in
                run.isEmpty ? nil : Double(contents.epochs[RepeatStatistics.peaks(run)[l].peakIndex])
            }
            return (contents.layers[l], contents.transitions.indices.contains(l) ? contents.transitions[l] : nil, RepeatStatistics.median(peaks))
        }
        return Outcome(output: contents.path, runs: contents.analysedRuns.count, epochs: contents.epochs.count, computed: computed, kept: kept,
                       replaced: replaced, seconds: seconds, note: note, dpi: dpi, phases: phases, mainLabel: main)
    }
}
