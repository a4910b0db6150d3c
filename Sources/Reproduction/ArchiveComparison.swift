import Analysis
import Configuration
import Foundation
import Information

/// Compares an analysis of the archived-run setting (`tishby2017-archived.yaml`) with the
/// 2017 authors' own archived results (`data/reference/idnns_orig_run_…h5`): per layer,
/// the mean curves of I(X;T) and I(T;Y) over repeats on the epochs both have.
package struct ArchiveComparison: Sendable {
    package struct Layer: Sendable {
        package var name: String
        /// Root-mean-square difference of the mean I(X;T) curves, bits.
        package var ixtRMS: Double
        package var ityRMS: Double
        /// (epoch, bits) of the mean I(X;T) peak, ours and the archive's.
        package var ourPeak: (epoch: Int, bits: Double)
        package var archivePeak: (epoch: Int, bits: Double)
        /// Mean I(X;T) at the last common epoch.
        package var ourFinal: Double
        package var archiveFinal: Double
        package var ourFinalITY: Double
        package var archiveFinalITY: Double
        /// Share of common epochs where our mean I(X;T) lies within the archive's mean ± 2
        /// standard deviations across its repeats.
        package var withinSpread: Double
    }

    package var epochs: [Int]
    /// Mean curves on the common epochs, `[epoch][layer]`, for figures.
    package var ours: (ixt: [[Double]], ity: [[Double]])
    package var archive: (ixt: [[Double]], ity: [[Double]])
    package var layerNames: [String]
    package var ourRuns: Int
    package var archiveRuns: Int
    package var layers: [Layer]

    /// - Parameter label: the estimator label of the analysis (`binning_edges50`).
    package static func compare(analysisPath: String, label: String, archivePath: String) throws -> ArchiveComparison {
        let ours = try AnalysisFile.read(analysisPath)
        guard let ourIXT = ours.ixtRuns[label], let ourITY = ours.ityRuns[label] else {
            throw ConfigError(file: analysisPath, keyPath: "", "no \(label) analysis (the archive used bins = linspace(-1, 1, 50): edges: 50)")
        }
        let archived = try ArchivedRun.read(archivePath)
        let archiveEpochs = archived.epochs, layerCount = archived.layerCount
        let archiveIXT = archived.ixt, archiveITY = archived.ity
        guard layerCount == ours.layers.count else {
            throw ConfigError(file: analysisPath, keyPath: "", "\(ours.layers.count) layers, the archive has \(layerCount)")
        }
        // Common epochs.
        let ourIndex = Dictionary(uniqueKeysWithValues: ours.epochs.enumerated().map { ($1, $0) })
        let common = archiveEpochs.enumerated().compactMap { (a, epoch) in ourIndex[epoch].map { (epoch, $0, a) } }
        func mean(_ cube: [[[Double]]], _ e: Int, _ l: Int) -> Double { cube.reduce(0) { $0 + $1[e][l] } / Double(cube.count) }
        func std(_ cube: [[[Double]]], _ e: Int, _ l: Int) -> Double {
            let m = mean(cube, e, l)
            return (cube.reduce(0) { $0 + ($1[e][l] - m) * ($1[e][l] - m) } / Double(max(cube.count - 1, 1))).squareRoot()
        }
        var layers: [Layer] = []
        for l in 0..<layerCount {
            var sx = 0.0, sy = 0.0, within = 0
            var ourPeak = (0, -Double.infinity), archivePeak = (0, -Double.infinity)
            for (epoch, o, a) in common {
                let mo = mean(ourIXT, o, l), ma = mean(archiveIXT, a, l)
                sx += (mo - ma) * (mo - ma)
                let yo = mean(ourITY, o, l), ya = mean(archiveITY, a, l)
                sy += (yo - ya) * (yo - ya)
                if abs(mo - ma) <= 2 * std(archiveIXT, a, l) + 1e-9 { within += 1 }
                if mo > ourPeak.1 { ourPeak = (epoch, mo) }
                if ma > archivePeak.1 { archivePeak = (epoch, ma) }
            }
            let n = Double(max(common.count, 1))
            let last = common.last
            layers.append(Layer(name: ours.layers[l], ixtRMS: (sx / n).squareRoot(), ityRMS: (sy / n).squareRoot(),
                                ourPeak: ourPeak, archivePeak: archivePeak,
                                ourFinal: last.map { mean(ourIXT, $0.1, l) } ?? .nan, archiveFinal: last.map { mean(archiveIXT, $0.2, l) } ?? .nan,
                                ourFinalITY: last.map { mean(ourITY, $0.1, l) } ?? .nan, archiveFinalITY: last.map { mean(archiveITY, $0.2, l) } ?? .nan,
                                withinSpread: Double(within) / n))
        }
        let curves = { (cube: [[[Double]]], pick: ((Int, Int, Int)) -> Int) in
            common.map { c in (0..<layerCount).map { mean(cube, pick(c), $0) } }
        }
        return ArchiveComparison(epochs: common.map(\.0),
                                 ours: (curves(ourIXT, { $0.1 }), curves(ourITY, { $0.1 })),
                                 archive: (curves(archiveIXT, { $0.2 }), curves(archiveITY, { $0.2 })),
                                 layerNames: ours.layers, ourRuns: ourIXT.count, archiveRuns: archiveIXT.count, layers: layers)
    }

    /// A table for the terminal and the README.
    package var table: String {
        var lines = ["layer      RMS I(X;T)  RMS I(T;Y)  peak I(X;T) ours (epoch)  archive (epoch)  final ours  archive  within ±2σ"]
        for l in layers {
            lines.append(String(format: "%@ %10.2f  %10.3f  %9.2f (%5d)       %7.2f (%5d)  %10.2f  %7.2f  %9.0f%%",
                                l.name.padding(toLength: 10, withPad: " ", startingAt: 0), l.ixtRMS, l.ityRMS, l.ourPeak.bits, l.ourPeak.epoch,
                                l.archivePeak.bits, l.archivePeak.epoch, l.ourFinal, l.archiveFinal, l.withinSpread * 100))
        }
        return lines.joined(separator: "\n")
    }
}
