import Information
import Foundation
import HDF5
import Recording

extension AnalysisFile {
    /// Reads a version-1 analysis file (infoplane before the cumulative format): one
    /// `/analysis` group holding `epochs`, `seeds`, the layer names as a comma-joined
    /// attribute, the run paths (as given on the command line) newline-joined, and one
    /// subgroup per estimator label. No digests and no sweep were recorded.
    static func readVersion1(_ file: H5File, path: String) throws -> Contents {
        let group = try file.group("analysis")
        let epochs = try group.dataset("epochs").read(as: Int64.self).map { Int($0) }
        let layers = try group.stringAttribute("layers").split(separator: ",").map(String.init)
        let paths = try group.stringAttribute("runs").split(separator: "\n").map(String.init)
        let seeds = group.isDataset("seeds") ? try group.dataset("seeds").read(as: Int64.self).map { UInt64(bitPattern: $0) } : []
        let runs = paths.enumerated().map { AnalysedRun(path: $1, seed: seeds.indices.contains($0) ? seeds[$0] : 0, digest: "") }
        var contents = Contents(path: path, formatVersion: 1, experiment: try file.stringAttribute("experiment"), sweep: "",
                                epochs: epochs, layers: layers, labels: [], descriptions: [:], ixtMean: [:], ityMean: [:],
                                ixtRuns: [:], ityRuns: [:], dpi: [:], analysedRuns: runs,
                                runs: [], transitions: [])
        contents.pairs = DPICheck.chainPairs(contents.layers.count)
        (contents.runs, contents.runRefusal) = confinedRunPaths(paths, folder: PathComponent.folder(of: path), file: path, version: 1)
        for name in try group.childNames() where name != "snr" && group.isGroup(name) {
            let series = try group.group(name)
            guard series.isDataset("ixt_mean") else { continue }
            try readSeries(series, label: name, into: &contents, runCount: paths.count, path: path)
            contents.descriptions[name] = series.hasAttribute("description") ? try series.stringAttribute("description") : ""
        }
        contents.labels.sort()
        contents.transitions = try medianTransitions(group.isDataset("snr/transition_epoch") ? group.dataset("snr/transition_epoch") : nil,
                                                     layers: layers.count)
        return contents
    }
}
