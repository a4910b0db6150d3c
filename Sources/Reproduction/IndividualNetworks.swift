import Analysis
import Foundation
import Plotting

/// Shwartz-Ziv & Tishby 2017, Fig. 2 (the lecture's "layers without averaging"): the
/// layers of every network of an experiment as points in the information plane at three
/// moments — logged indices 13, 180 and 963 of the 964 of the authors' plotting code
/// (early, mid, converged) — and each network's own path, not averaged.
///
/// Measured per moment and layer: the mean and the standard deviation over runs
/// (population, ddof 0) of I(X;T) and I(T;Y), bits, ours and the authors' archive.
/// Verdicts: (1) at convergence the networks' layers lie close together: the s.d. of
/// I(T;Y) is below 0.05 bits in every layer; (2) our spread is the archive's: the mean
/// s.d. of I(X;T) over layers at convergence is within a factor 2 of the archive's.
package struct IndividualNetworks: Sendable {
    package struct Spread: Sendable {
        package var layer: String
        package var meanIXT: Double, sdIXT: Double
        package var meanITY: Double, sdITY: Double
    }

    package struct Moment: Sendable {
        package var epoch: Int
        /// The archive's epoch at this moment (ours is the nearest logged one; they differ
        /// when our runs are shorter).
        package var archiveEpoch: Int?
        package var ours: [Spread]
        package var archive: [Spread]
    }

    /// The archived plotting code's logged indices (of 964).
    package static let archivedIndices = [13, 180, 963]

    package var moments: [Moment]
    package var layers: [String]
    package var runs: Int
    package var archiveRuns: Int
    /// Ours `[run][epoch][layer]` and the analysis's epochs, for the path figure.
    var ourIXT: [[[Double]]], ourITY: [[[Double]]], epochs: [Int]
    var archive: ArchivedRun?
    var ourIndices: [Int], archiveIndices: [Int]

    package static func evaluate(_ analysis: AnalysisFile.Contents, label: String, archive: ArchivedRun?) throws -> IndividualNetworks {
        guard let ixt = analysis.ixtRuns[label], let ity = analysis.ityRuns[label], !analysis.epochs.isEmpty else {
            throw AnalysisError(file: analysis.path, "no per-run \(label) values")
        }
        // The archive's moments by index; ours at the same epochs (or the nearest logged ones).
        let archiveIndices = archive.map { a in archivedIndices.map { min($0, a.epochs.count - 1) } } ?? []
        let wanted: [Int]
        if let archive {
            wanted = archiveIndices.map { archive.epochs[$0] }
        } else {
            let last = Double(analysis.epochs.count - 1)
            wanted = archivedIndices.map { (index: Int) -> Int in analysis.epochs[Int((Double(index) / 963 * last).rounded())] }
        }
        let ourIndices = wanted.map { epoch in analysis.epochs.indices.min { abs(analysis.epochs[$0] - epoch) < abs(analysis.epochs[$1] - epoch) } ?? 0 }
        func spreads(_ ixt: [[[Double]]], _ ity: [[[Double]]], at e: Int, names: [String]) -> [Spread] {
            names.indices.map { l in
                let x = ixt.map { $0[e][l] }, y = ity.map { $0[e][l] }
                func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(max(v.count, 1)) }
                func sd(_ v: [Double]) -> Double { let m = mean(v); return (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(max(v.count, 1))).squareRoot() }
                return Spread(layer: names[l], meanIXT: mean(x), sdIXT: sd(x), meanITY: mean(y), sdITY: sd(y))
            }
        }
        let moments = ourIndices.enumerated().map { k, e in
            Moment(epoch: analysis.epochs[e], archiveEpoch: archive.map { $0.epochs[archiveIndices[k]] }, ours: spreads(ixt, ity, at: e, names: analysis.layers),
                   archive: archive.map { a in a.layerCount == analysis.layers.count ? spreads(a.ixt, a.ity, at: archiveIndices[k], names: analysis.layers) : [] } ?? [])
        }
        return IndividualNetworks(moments: moments, layers: analysis.layers, runs: ixt.count, archiveRuns: archive?.ixt.count ?? 0,
                                  ourIXT: ixt, ourITY: ity, epochs: analysis.epochs, archive: archive,
                                  ourIndices: ourIndices, archiveIndices: archiveIndices)
    }

    /// (1): at convergence every layer's I(T;Y) varies by less than 0.05 bits (s.d.) across runs.
    package var convergedTogether: Bool { (moments.last?.ours ?? []).allSatisfy { $0.sdITY < 0.05 } }
    /// (2): the mean s.d. of I(X;T) at convergence, ours over the archive's (nil without the archive).
    package var spreadRatio: Double? {
        guard let last = moments.last, !last.archive.isEmpty else { return nil }
        let ours = last.ours.map(\.sdIXT).reduce(0, +), theirs = last.archive.map(\.sdIXT).reduce(0, +)
        return theirs > 0 ? ours / theirs : nil
    }

    package var report: String {
        var lines = ["Individual networks (2017, Fig. 2): every run's layers at logged epochs \(moments.map { String($0.epoch) }.joined(separator: ", ")), mean ± s.d. over runs (ours \(runs) runs, archive \(archiveRuns)):"]
        for moment in moments {
            let theirs = moment.archiveEpoch.map { $0 == moment.epoch ? "" : " (the archive's: epoch \($0); our runs are shorter)" } ?? ""
            lines.append("  epoch \(moment.epoch)\(theirs):")
            for (l, spread) in moment.ours.enumerated() {
                var line = String(format: "    %-8@ ours I(X;T) %6.3f ± %.3f  I(T;Y) %.3f ± %.3f", spread.layer, spread.meanIXT, spread.sdIXT, spread.meanITY, spread.sdITY)
                if l < moment.archive.count {
                    let a = moment.archive[l]
                    line += String(format: "   archive %6.3f ± %.3f  %.3f ± %.3f", a.meanIXT, a.sdIXT, a.meanITY, a.sdITY)
                }
                lines.append(line)
            }
        }
        let worst = moments.last?.ours.map(\.sdITY).max() ?? 0
        lines.append((convergedTogether ? "holds        " : "does not hold") + String(format: " at convergence the networks' layers lie together in I(T;Y) (largest s.d. %.4f bits)", worst))
        if let ratio = spreadRatio {
            lines.append(((0.5...2).contains(ratio) ? "holds        " : "does not hold") + String(format: " our spread in I(X;T) at convergence is the archive's within a factor 2 (ratio %.2f)", ratio))
        }
        return lines.joined(separator: "\n")
    }

    package func figures() -> [(name: String, svg: SVG)] {
        func panel(_ title: String, _ ixt: [[[Double]]], _ ity: [[[Double]]], _ e: Int) -> (title: String, traces: [Trace], markers: [Marker]) {
            let traces = ixt.indices.map { r in Trace(Array(zip(ixt[r][e], ity[r][e])), category: -1, width: 0.5, opacity: 0.3) }
            let markers = ixt.indices.flatMap { r in ixt[r][e].indices.map { Marker(x: ixt[r][e][$0], y: ity[r][e][$0], category: $0) } }
            return (title, traces, markers)
        }
        var panels = ourIndices.map { panel("ours, epoch \(epochs[$0])", ourIXT, ourITY, $0) }
        if let archive, archive.layerCount == layers.count {
            panels += archiveIndices.map { panel("archive, epoch \(archive.epochs[$0])", archive.ixt, archive.ity, $0) }
        }
        let snapshots = Figures.traces(panels, categories: layers, xLabel: "I(X;T) in bits", yLabel: "I(T;Y) in bits",
                                       reference: "one network", columns: 3,
                                       title: "Individual networks at three moments (2017, Fig. 2): \(runs) runs of ours, \(archiveRuns) of the archive")
        let paths = layers.indices.map { l in
            (title: layers[l], traces: ourIXT.indices.map { r in Trace(zip(ourIXT[r], ourITY[r]).map { ($0[l], $1[l]) }, category: l, width: 0.7, opacity: 0.45) },
             markers: ourIXT.indices.map { r in Marker(x: ourIXT[r].last?[l] ?? 0, y: ourITY[r].last?[l] ?? 0, category: l) })
        }
        let pathFigure = Figures.traces(paths, categories: layers, xLabel: "I(X;T) in bits", yLabel: "I(T;Y) in bits", columns: 4,
                                        title: "Each network's path, not averaged: \(runs) runs, one panel per layer (points: the last epoch)")
        return [("individual_networks", snapshots), ("individual_paths", pathFigure)]
    }
}
