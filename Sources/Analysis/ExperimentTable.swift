import Foundation
import Recording

/// One tidy table over analysis files: every experiment given, every sweep variant, every
/// run, logged epoch, layer and estimator, with the run's metrics at that epoch joined.
///
/// Columns: `experiment`, `variant`, one column per sweep key across all inputs
/// (`model.widths`, the value in YAML flow style, empty where a file does not sweep it),
/// `seed`, `run` (file name), `epoch`, `layer_index`, `layer`, `estimator` (the label),
/// `estimator_parameters` (`binning:bins=30,range=[-1,1]`), `ixt_bits`, `ity_bits`,
/// `train_loss`, `train_accuracy`, `test_loss`, `test_accuracy` (of the state the logged
/// epoch records; NaN when the run file is missing).
package enum ExperimentTable {
    /// The analysis files under `paths` (analysis files, or folders searched recursively
    /// for `analysis.h5`), sorted.
    package static func analysisFiles(under paths: [String]) throws -> [String] {
        var found: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw AnalysisError(file: path, "no such file or folder")
            }
            if !isFolder.boolValue { found.append(path); continue }
            let enumerator = FileManager.default.enumerator(atPath: path)
            while let relative = enumerator?.nextObject() as? String {
                if (relative as NSString).lastPathComponent == "analysis.h5" { found.append((path as NSString).appendingPathComponent(relative)) }
            }
        }
        return Array(Set(found)).sorted()
    }

    /// The sweep keys and values of an analysis (`key: value` YAML lines), in order.
    static func sweepValues(_ sweep: String) -> [(key: String, value: String)] {
        sweep.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }
    }

    package static func build(_ files: [String]) throws -> Table {
        let analyses = try files.map { try AnalysisFile.read($0) }
        var sweepKeys: [String] = []
        for analysis in analyses {
            for (key, _) in sweepValues(analysis.sweep) where !sweepKeys.contains(key) { sweepKeys.append(key) }
        }
        var experiment: [String] = [], variant: [String] = [], sweep = Array(repeating: [String](), count: sweepKeys.count)
        var seed: [Int64] = [], run: [String] = [], epoch: [Int64] = [], layerIndex: [Int64] = [], layer: [String] = []
        var estimator: [String] = [], parameters: [String] = [], ixt: [Double] = [], ity: [Double] = []
        let metricNames = RunFileFormat.metricNames
        var metrics = Dictionary(uniqueKeysWithValues: metricNames.map { ($0, [Double]()) })
        for analysis in analyses {
            let values = Dictionary(sweepValues(analysis.sweep), uniquingKeysWith: { a, _ in a })
            // Per run: the metrics of the state each logged epoch records.
            var runMetrics: [[String: [Double]]] = []
            for path in try analysis.runFiles() {
                var perEpoch = Dictionary(uniqueKeysWithValues: metricNames.map { ($0, [Double](repeating: .nan, count: analysis.epochs.count)) })
                if let file = try? RunFile.open(path), let (epochs, series) = try? file.metrics() as (epochs: [Int], values: [String: [Double]]) {
                    let row = Dictionary(epochs.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
                    for (e, logged) in analysis.epochs.enumerated() {
                        guard let index = row[file.timing.completedEpochs(forLogged: logged)] else { continue }
                        for name in metricNames { perEpoch[name]?[e] = series[name]?[index] ?? .nan }
                    }
                }
                runMetrics.append(perEpoch)
            }
            for label in analysis.labels {
                guard let ixtRuns = analysis.ixtRuns[label], let ityRuns = analysis.ityRuns[label] else { continue }
                for (r, analysed) in analysis.analysedRuns.enumerated() where r < ixtRuns.count {
                    for (e, logged) in analysis.epochs.enumerated() {
                        for (l, name) in analysis.layers.enumerated() {
                            experiment.append(analysis.experiment)
                            variant.append(analysis.variant ?? "")
                            for (k, key) in sweepKeys.enumerated() { sweep[k].append(values[key] ?? "") }
                            seed.append(Int64(bitPattern: analysed.seed))
                            run.append((analysed.path as NSString).lastPathComponent)
                            epoch.append(Int64(logged))
                            layerIndex.append(Int64(l))
                            layer.append(name)
                            estimator.append(label)
                            parameters.append(analysis.arguments[label] ?? "")
                            ixt.append(ixtRuns[r][e][l])
                            ity.append(ityRuns[r][e][l])
                            for metric in metricNames { metrics[metric]?.append(runMetrics[r][metric]?[e] ?? .nan) }
                        }
                    }
                }
            }
        }
        var columns: [Table.Column] = [
            .init("experiment", .string(experiment), longName: "experiment name"),
            .init("variant", .string(variant), longName: "sweep variant, key=value, … (empty: not a sweep)"),
        ]
        for (k, key) in sweepKeys.enumerated() {
            columns.append(.init(key, .string(sweep[k]), longName: "sweep value of \(key) (YAML flow style)"))
        }
        columns += [
            .init("seed", .int(seed), longName: "seed of the run"),
            .init("run", .string(run), longName: "run file"),
            .init("epoch", .int(epoch), longName: "logged training epoch"),
            .init("layer_index", .int(layerIndex), longName: "position of the layer from the input (0-based)"),
            .init("layer", .string(layer), longName: "layer name"),
            .init("estimator", .string(estimator), longName: "estimator label"),
            .init("estimator_parameters", .string(parameters), longName: "estimator in analyze --estimator form"),
            .init("ixt_bits", .double(ixt), longName: "I(X;T)", units: "bit"),
            .init("ity_bits", .double(ity), longName: "I(T;Y)", units: "bit"),
        ]
        for metric in metricNames {
            columns.append(.init(metric, .double(metrics[metric] ?? []), longName: metric.replacingOccurrences(of: "_", with: " ") + " of the state at this logged epoch"))
        }
        return Table(columns: columns, attributes: ["title": "information-plane table of \(Set(experiment).sorted().joined(separator: ", "))",
                                                    "source": files.joined(separator: "\n"),
                                                    "Conventions": "CF-1.8"])
    }
}
