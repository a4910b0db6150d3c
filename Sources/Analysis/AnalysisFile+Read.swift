import Foundation
import HDF5
import Information
import Recording

extension AnalysisFile {
    /// What the figures and reports need from an analysis file.
    public struct Contents: Sendable {
        public var path: String
        public var formatVersion: Int32
        public var experiment: String
        /// The sweep variant as YAML lines (`model.widths: [8, 6, 4]`), empty when none
        /// (and for version-1 files, which did not record it).
        public var sweep: String
        /// `[epoch]`
        public var epochs: [Int]
        /// `[layer]`
        public var layers: [String]
        /// Estimator labels, sorted.
        public var labels: [String]
        /// label → the estimator's description (formula, parameters, units).
        public var descriptions: [String: String]
        /// label → the estimator in `analyze --estimator` form (empty in older files).
        public var arguments: [String: String] = [:]
        /// label → `[epoch][layer]`
        public var ixtMean: [String: [[Double]]]
        public var ityMean: [String: [[Double]]]
        /// label → per run `[epoch][layer]`
        public var ixtRuns: [String: [[[Double]]]]
        public var ityRuns: [String: [[[Double]]]]
        /// label → `[epoch][layer pair]`, DPI violations summed over runs.
        public var dpi: [String: [[Double]]]
        /// The layer pairs the DPI tables compare (`layer_pair`); a chain's (k, k+1) in
        /// files without the coordinate.
        public var pairs: [DPICheck.Pair] = []
        /// The runs as recorded (paths relative to the analysis file; version 1: as given,
        /// no digests).
        public var analysedRuns: [AnalysedRun]
        /// The run files' paths, usable from the current directory (as stored when a
        /// path leaves the analysis file's folder: see ``runFiles()``).
        public var runs: [String]
        /// Why a stored run path is not opened (it leads outside the analysis file's folder).
        public var runRefusal: AnalysisError?

        /// The run files to open: ``runs``, or the refusal of a path that leaves the
        /// analysis file's folder. Everything that opens an analysis's runs goes through here.
        public func runFiles() throws(AnalysisError) -> [String] {
            if let runRefusal { throw runRefusal }
            return runs
        }
        /// The median SNR transition epoch per layer (nil: none).
        public var transitions: [Double?]
        /// Version 2: the gradient SNR per run as stored, `[run][snr epoch][layer]` (NaN
        /// without weights), its epochs, and each run's transition epochs (nil: none).
        public var snrEpochs: [Int] = []
        public var snrRuns: [[[Double]]] = []
        public var transitionRuns: [[Int?]] = []

        /// `key=value, …` of the sweep variant, or nil.
        public var variant: String? { sweep.isEmpty ? nil : AnalysisFile.variantText(sweep) }
    }

    /// Whether `path` is an infoplane analysis file (of any version).
    public static func isAnalysisFile(_ path: String) -> Bool {
        guard let file = try? H5File.open(path), file.hasAttribute("format") else { return false }
        return (try? file.stringAttribute("format")) == format
    }

    /// Reads an analysis file of version 1 or 2.
    public static func read(_ path: String) throws -> Contents {
        let file = try H5File.open(path)
        guard file.hasAttribute("format"), try file.stringAttribute("format") == format else {
            throw AnalysisError(file: path, "not an infoplane analysis file (no format attribute \"\(format)\")")
        }
        let version = file.hasAttribute("format_version") ? try file.attribute("format_version", as: Int32.self) : 1
        switch version {
        case 1: return try readVersion1(file, path: path)
        case 2: return try readVersion2(file, path: path)
        case ...0:
            throw AnalysisError(file: path, "analysis format version \(version) is not a version infoplane ever wrote (1 to \(self.version)); the file is damaged")
        default:
            throw AnalysisError(file: path, "analysis format version \(version) is newer than this infoplane reads (≤ \(self.version)); update infoplane")
        }
    }

    private static func readVersion2(_ file: H5File, path: String) throws -> Contents {
        let epochs = try file.dataset("epoch").read(as: Int64.self).map { Int($0) }
        let layers = try file.dataset("layer").readStrings()
        let seeds = try file.dataset("seed").read(as: Int64.self).map { UInt64(bitPattern: $0) }
        let paths = try file.dataset("run_path").readStrings()
        let digests = try file.dataset("run_digest").readStrings()
        guard paths.count == seeds.count, digests.count == seeds.count else {
            throw AnalysisError(file: path, "run_path, run_digest and seed differ in length")
        }
        let runs = zip(zip(paths, seeds), digests).map { AnalysedRun(path: $0.0, seed: $0.1, digest: $1) }
        let folder = PathComponent.folder(of: path)
        var contents = Contents(path: path, formatVersion: 2, experiment: try file.stringAttribute("experiment"),
                                sweep: file.hasAttribute("sweep") ? try file.stringAttribute("sweep") : "",
                                epochs: epochs, layers: layers, labels: [], descriptions: [:], ixtMean: [:], ityMean: [:],
                                ixtRuns: [:], ityRuns: [:], dpi: [:], analysedRuns: runs,
                                runs: [],
                                transitions: [])
        contents.pairs = DPICheck.chainPairs(contents.layers.count)
        (contents.runs, contents.runRefusal) = confinedRunPaths(paths, folder: folder, file: path, version: 2)
        if file.isGroup("estimators") {
            let estimators = try file.group("estimators")
            for label in try estimators.childNames() where estimators.isGroup(label) {
                let series = try estimators.group(label)
                try readSeries(series, label: label, into: &contents, runCount: runs.count, path: path)
                contents.descriptions[label] = series.hasAttribute("description") ? try series.stringAttribute("description") : ""
                contents.arguments[label] = series.hasAttribute("estimator") ? try series.stringAttribute("estimator") : ""
            }
        }
        contents.labels.sort()
        contents.transitions = try medianTransitions(file.isDataset("snr/transition_epoch") ? file.dataset("snr/transition_epoch") : nil,
                                                     layers: layers.count)
        if file.isDataset("snr/snr"), file.isDataset("snr/snr_epoch"), file.isDataset("snr/transition_epoch") {
            let snrEpochs = try file.dataset("snr/snr_epoch").read(as: Int64.self).map { Int($0) }
            let snr = try file.dataset("snr/snr")
            guard try snr.shape() == [runs.count, snrEpochs.count, layers.count] else {
                throw AnalysisError(file: path, "/snr/snr has shape \(try snr.shape()), expected \([runs.count, snrEpochs.count, layers.count])")
            }
            contents.snrEpochs = snrEpochs
            contents.snrRuns = perRun(try snr.read(as: Double.self), epochs: snrEpochs.count, layers: layers.count)
            if snrEpochs.isEmpty { contents.snrRuns = Array(repeating: [], count: runs.count) }
            let transitions = try file.dataset("snr/transition_epoch").read(as: Int64.self)
            guard transitions.count == runs.count * layers.count else {
                throw AnalysisError(file: path, "/snr/transition_epoch holds \(transitions.count) values, expected \(runs.count * layers.count)")
            }
            contents.transitionRuns = (0..<runs.count).map { r in (0..<layers.count).map { l in
                let value = transitions[r * layers.count + l]
                return value >= 0 ? Int(value) : nil
            } }
        }
        return contents
    }

    /// The datasets of one estimator group, shape-checked against the axes.
    static func readSeries(_ series: H5Group, label: String, into contents: inout Contents, runCount: Int, path: String) throws {
        let layers = contents.layers.count, epochs = contents.epochs.count
        func values(_ name: String, shape: [Int]) throws -> [Double] {
            let dataset = try series.dataset(name)
            guard try dataset.shape() == shape else {
                throw AnalysisError(file: path, "\(series.path)/\(name) has shape \(try dataset.shape()), expected \(shape)")
            }
            return try dataset.read(as: Double.self)
        }
        contents.labels.append(label)
        contents.ixtMean[label] = table(try values("ixt_mean", shape: [epochs, layers]), layers)
        contents.ityMean[label] = table(try values("ity_mean", shape: [epochs, layers]), layers)
        contents.ixtRuns[label] = perRun(try values("ixt", shape: [runCount, epochs, layers]), epochs: epochs, layers: layers)
        contents.ityRuns[label] = perRun(try values("ity", shape: [runCount, epochs, layers]), epochs: epochs, layers: layers)
        // One set of pairs for the file: every estimator group must name the same ones
        // (the figures index each group's DPI table by them).
        let found = try pairs(series, layers: contents.layers, path: path)
        if contents.labels.count == 1 {
            contents.pairs = found
        } else if found != contents.pairs {
            throw AnalysisError(file: path, "\(series.path)/layer_pair differs from the first estimator group's")
        }
        let pairCount = contents.pairs.count
        if pairCount > 0, series.isDataset("dpi_ixt_violation") {
            let violations = try values("dpi_ixt_violation", shape: [runCount, epochs, pairCount])
            let cells = epochs * pairCount
            var summed = [Double](repeating: 0, count: cells)
            for (i, v) in violations.enumerated() { summed[i % cells] += v }
            contents.dpi[label] = table(summed, pairCount)
        }
    }

    /// The pairs of a group's `layer_pair` coordinate (`earlier->later` by layer name), or
    /// a chain's when it has none; a name that is not a layer, or a later layer that does
    /// not come after the earlier, is an error.
    static func pairs(_ series: H5Group, layers: [String], path: String) throws -> [DPICheck.Pair] {
        guard series.isDataset("layer_pair") else { return DPICheck.chainPairs(layers.count) }
        let index = Dictionary(layers.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return try series.dataset("layer_pair").readStrings().map { name in
            let parts = name.components(separatedBy: "->")
            guard parts.count == 2, let earlier = index[parts[0]], let later = index[parts[1]], earlier < later else {
                throw AnalysisError(file: path, "\(series.path)/layer_pair: \"\(name)\" is not a pair of layers earlier->later")
            }
            return DPICheck.Pair(earlier: earlier, later: later)
        }
    }

    static func table(_ values: [Double], _ columns: Int) -> [[Double]] {
        columns == 0 ? [] : stride(from: 0, to: values.count, by: columns).map { Array(values[$0..<($0 + columns)]) }
    }

    static func perRun(_ values: [Double], epochs: Int, layers: Int) -> [[[Double]]] {
        let cells = epochs * layers
        guard cells > 0 else { return [] }
        return stride(from: 0, to: values.count, by: cells).map { table(Array(values[$0..<($0 + cells)]), layers) }
    }

    /// The median over runs of `transition_epoch` `[run, layer]` (−1: none).
    static func medianTransitions(_ dataset: H5Dataset?, layers: Int) throws -> [Double?] {
        var transitions: [Double?] = Array(repeating: nil, count: layers)
        guard let dataset, layers > 0 else { return transitions }
        let values = try dataset.read(as: Int64.self)
        for l in 0..<layers {
            let column = stride(from: l, to: values.count, by: layers).map { values[$0] }.filter { $0 >= 0 }.map(Double.init)
            transitions[l] = RepeatStatistics.median(column)
        }
        return transitions
    }
}
