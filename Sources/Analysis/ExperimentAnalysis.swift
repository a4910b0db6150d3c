import Experiments
import Foundation
import Information
import Logging
import Recording
import Tensor

/// `infoplane analyze`: the information-plane analysis of run files, one `analysis.h5`
/// per folder of runs (an experiment, or one sweep variant).
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
                        groups[(full as NSString).deletingLastPathComponent, default: []].append(full)
                    }
                }
            } else {
                groups[(path as NSString).deletingLastPathComponent, default: []].append(path)
            }
        }
        return groups.mapValues { $0.sorted() }
    }

    package struct Outcome: Sendable {
        package var folder: String
        package var output: String
        package var runs: Int
        package var epochs: Int
        package var labels: [String]
        package var seconds: Double
        package var note: String?
        /// Per estimator label: the number of DPI violations and the largest, in bits.
        package var dpi: [(label: String, count: Int, largest: Double)]
        /// Per layer: the median SNR transition epoch over the runs, and the median epoch of
        /// the I(X;T) peak under the first estimator.
        package var phases: [(layer: String, transition: Int?, peak: Int?)]
    }

    /// Analyses one folder of runs with the estimators of their configuration.
    package func analyze(folder: String, runs paths: [String], csv: Bool, tool: String, showProgress: Bool = false) throws -> Outcome {
        let start = Date()
        let first = try RunFile.open(paths[0])
        let experiments = try ExperimentLoader.parse(first.config, file: "\(paths[0]) (config attribute)")
        let estimators = experiments[0].config.analysis.estimators
        guard !estimators.isEmpty else {
            throw ConfigError(file: paths[0], keyPath: "analysis.estimators", "no estimators configured for this run")
        }
        // Runs are independent: analyse them on all cores (each estimator is itself
        // single-threaded except KDE, whose row blocks share the cores).
        let results = ConcurrentSlots<Result<RunAnalysis, any Error>>(count: paths.count)
        let progress = ProgressReporter(totalEpochs: paths.count * first.loggedEpochs.count, totalRuns: paths.count,
                                        enabled: showProgress, unit: "epochs analysed")
        Parallel.perform(iterations: paths.count) { index in
            results.set(index, Result { try RunAnalysis.analyze(RunFile.open(paths[index]), estimators: estimators,
                                                                epochDone: { progress.epochCompleted() }) })
            progress.runCompleted()
        }
        progress.finish()
        let analyses = try results.values.map { try $0.get() }
        let output = (folder as NSString).appendingPathComponent("analysis.h5")
        let (epochs, note, violations) = try AnalysisFile.write(analyses, estimators: estimators, experiment: first.experiment, tool: tool,
                                                                to: output, csv: csv ? (folder as NSString).appendingPathComponent("analysis.csv") : nil)
        let labels = estimators.flatMap(\.labels)
        let dpi = labels.map { ($0, violations[$0]?.count ?? 0, violations[$0]?.map(\.size).max() ?? 0) }
        func median(_ values: [Int]) -> Int? { values.isEmpty ? nil : values.sorted()[values.count / 2] }
        let phases = analyses[0].layerNames.indices.map { l -> (layer: String, transition: Int?, peak: Int?) in
            let transitions = analyses.compactMap { $0.snrTransition[l] }
            let peaks = analyses.compactMap { run -> Int? in
                guard let series = run.ixt[labels[0]], !series.isEmpty else { return nil }
                return run.epochs[RepeatStatistics.peaks(series)[l].peakIndex]
            }
            return (analyses[0].layerNames[l], median(transitions), median(peaks))
        }
        return Outcome(folder: folder, output: output, runs: analyses.count, epochs: epochs.count,
                       labels: labels, seconds: Date().timeIntervalSince(start), note: note, dpi: dpi, phases: phases)
    }
}

