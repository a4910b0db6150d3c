import Analysis
import Foundation
import Information
import Plotting

/// Shwartz-Ziv & Tishby 2017, Fig. 6: "the converged layers lie on or very close to the
/// information bottleneck bound". The bound is the IB curve of var_u's joint distribution
/// p(x, y) (x uniform over the 4096 patterns), computed with the iterative IB algorithm
/// (``InformationBottleneck``).
///
/// var_u's labels are a deterministic function of x, so the curve is the line
/// I(T;Y) = min(I(X;T), H(Y)) (Kolchinsky, Tracey & Van Kuyk 2019): the algorithm reaches
/// only its corners, and no β can be fitted to a point between. The paper drew its curve
/// for a stochastic rule p(y=1|x) = σ(γ(f(x) − θ)) (its Eq. 10), which needs the
/// spherical-harmonic function f that var_u does not contain; that curve is not computed.
///
/// Measured: each layer's distance below the bound at the last logged epoch, bits (mean
/// over runs), ours and the authors' archived runs. Verdict: holds when every hidden
/// layer of ours lies within 0.05 bits of it.
package struct BottleneckBound: Sendable {
    package struct Layer: Sendable {
        package var name: String
        package var ixt: Double
        package var ity: Double
        /// The bound at this I(X;T) minus I(T;Y), bits.
        package var gap: Double
    }

    package var hy: Double
    package var hx: Double
    /// The iterative IB algorithm on var_u, annealed over β.
    package var algorithm: [InformationBottleneck.Point]
    package var ours: [Layer]
    package var archive: [Layer]
    package var ourRuns: Int
    package var archiveRuns: Int
    package var epoch: Int

    /// - Parameters:
    ///   - labels: var_u's labels, one per pattern (the patterns equally likely).
    ///   - analysis: an analysis of tanh runs on var_u; `label` its estimator.
    package static func evaluate(labels: [Int32], analysis: AnalysisFile.Contents, label: String, archive: ArchivedRun?) throws -> BottleneckBound {
        let classes = Int(labels.max() ?? 0) + 1
        let joint = labels.map { y in (0..<classes).map { $0 == Int(y) ? 1 / Double(labels.count) : 0 } }
        let ib = try InformationBottleneck(joint: joint)
        let betas = [0.25, 0.5, 0.75, 0.9, 0.99, 1.01, 1.1, 1.5, 2, 4, 8, 16, 32]
        let algorithm = ib.curve(betas: betas, clusters: 4)
        let hy = ib.hy
        func layers(_ names: [String], ixt: [Double], ity: [Double]) -> [Layer] {
            names.indices.map { l in
                Layer(name: names[l], ixt: ixt[l], ity: ity[l], gap: InformationBottleneck.deterministicCurve(hy: hy, at: ixt[l]) - ity[l])
            }
        }
        guard let ixt = analysis.ixtMean[label]?.last, let ity = analysis.ityMean[label]?.last else {
            throw AnalysisError(file: analysis.path, "no \(label) analysis")
        }
        var archived: [Layer] = []
        if let archive, let last = archive.epochs.indices.last, !archive.ixt.isEmpty {
            let runs = Double(archive.ixt.count)
            let names = (0..<archive.layerCount).map { $0 == archive.layerCount - 1 ? "output" : "hidden\($0 + 1)" }
            archived = layers(names, ixt: (0..<archive.layerCount).map { l in archive.ixt.reduce(0) { $0 + $1[last][l] } / runs },
                              ity: (0..<archive.layerCount).map { l in archive.ity.reduce(0) { $0 + $1[last][l] } / runs })
        }
        return BottleneckBound(hy: hy, hx: ib.hx, algorithm: algorithm, ours: layers(analysis.layers, ixt: ixt, ity: ity), archive: archived,
                               ourRuns: analysis.ixtRuns[label]?.count ?? 0, archiveRuns: archive?.ixt.count ?? 0,
                               epoch: analysis.epochs.last ?? 0)
    }

    /// Whether every hidden layer of ours lies within 0.05 bits of the bound.
    package var holds: Bool { ours.dropLast().allSatisfy { $0.gap < 0.05 } }

    package var report: String {
        var lines = ["The IB bound (2017, Fig. 6): var_u's labels are deterministic, so the bound is I(T;Y) = min(I(X;T), H(Y)), H(Y) = \(String(format: "%.6f", hy)) bits."]
        let corners = algorithm.map { String(format: "β %.3g → (%.3f, %.3f)", $0.beta, $0.ixt, $0.ity) }.joined(separator: ", ")
        lines.append("  the iterative IB algorithm (4 clusters, annealed over β) reaches only its corners: \(corners)")
        lines.append("  no β can be fitted to a layer: the Lagrangian's slope 1/β is 1 below H(Y) and 0 beyond, where every layer with I(X;T) > H(Y) lies")
        lines.append("  the paper's curve is for a stochastic rule (its Eq. 10) that needs f(x), which var_u does not contain: not computed")
        func table(_ name: String, _ layers: [Layer]) {
            guard !layers.isEmpty else { return }
            lines.append("  \(name), at the last logged epoch:")
            for layer in layers {
                lines.append(String(format: "    %-8@ I(X;T) %6.3f  I(T;Y) %.4f  below the bound by %.4f bits", layer.name, layer.ixt, layer.ity, layer.gap))
            }
        }
        table("ours (\(ourRuns) runs, epoch \(epoch))", ours)
        table("the authors' archive (\(archiveRuns) runs)", archive)
        let worst = ours.dropLast().map(\.gap).max() ?? 0
        lines.append((holds ? "holds        " : "does not hold") + String(format: " every hidden layer lies within 0.05 bits of the bound (largest gap %.4f bits)", worst)
                     + "; for deterministic labels that only says the layers keep the label: the bound is flat beyond H(Y)")
        return lines.joined(separator: "\n")
    }

    package func figures() -> [(name: String, svg: SVG)] {
        let right = max(hx, (ours + archive).map(\.ixt).max() ?? 0)
        let bound = Trace([(0, 0), (hy, hy), (right, hy)], category: -1, width: 1.5)
        let corners = algorithm.map { Marker(x: $0.ixt, y: $0.ity, category: -1) }
        func markers(_ layers: [Layer]) -> [Marker] {
            layers.enumerated().map { Marker(x: $1.ixt, y: $1.ity, category: $0) }
        }
        var panels = [(title: "ours: \(ourRuns) runs, epoch \(epoch)", traces: [bound], markers: corners + markers(ours))]
        if !archive.isEmpty { panels.append((title: "the authors' archive: \(archiveRuns) runs", traces: [bound], markers: corners + markers(archive))) }
        let svg = Figures.traces(panels, categories: ours.map(\.name), xLabel: "I(X;T) in bits", yLabel: "I(T;Y) in bits",
                                 reference: "IB bound of var_u (deterministic labels); black points: the IB algorithm", columns: 2,
                                 title: "The converged layers and the information bottleneck bound (2017, Fig. 6)")
        return [("ib_bound", svg)]
    }
}
