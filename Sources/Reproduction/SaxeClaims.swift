import Analysis
import Foundation
import Information

/// The claims of Saxe et al. 2018 ("On the information bottleneck theory of deep
/// learning") measured on our runs of `saxe2018-tanh.yaml` and `saxe2018-relu.yaml`:
/// each stated, measured, and judged.
package struct SaxeClaims: Sendable {
    package struct Claim: Sendable {
        package var statement: String
        package var holds: Bool
        package var evidence: String
    }

    package var claims: [Claim]

    /// Median over runs of the compression fraction (peak − final)/peak of I(X;T), per layer.
    package static func compression(_ analysis: AnalysisFile.Contents, _ label: String) -> [Double] {
        guard let runs = analysis.ixtRuns[label], !runs.isEmpty else { return [] }
        let perRun = runs.map { RepeatStatistics.peaks($0).map(\.compressionFraction) }
        return analysis.layers.indices.map { l in RepeatStatistics.median(perRun.map { $0[l] }) ?? .nan }
    }

    /// - Parameters: the analyses of the tanh and the ReLU experiments.
    package static func evaluate(tanh: AnalysisFile.Contents, relu: AnalysisFile.Contents) -> SaxeClaims {
        func binning(_ a: AnalysisFile.Contents) -> String? { a.labels.first { $0.hasPrefix("binning") } }
        func kde(_ a: AnalysisFile.Contents) -> String? { a.labels.first { $0.hasPrefix("kde_0.1_upper") } }
        func percent(_ values: [Double], _ names: [String]) -> String {
            zip(names, values).map { "\($0) \(String(format: "%.0f%%", $1 * 100))" }.joined(separator: ", ")
        }
        var claims: [Claim] = []
        let hidden = tanh.layers.indices.dropLast()
        if let b = binning(tanh) {
            let c = compression(tanh, b)
            let last = hidden.last ?? 0
            claims.append(Claim(statement: "tanh: the last hidden layer compresses under binning (I(X;T) falls ≥ 10% after its peak)",
                                holds: c[last] >= 0.10, evidence: "\(b): compression after the peak: " + percent(c, tanh.layers)))
        }
        if let b = binning(relu) {
            let c = compression(relu, b)
            let hiddenRise = hidden.allSatisfy { c[$0] < 0.10 }
            let outputFalls = (c.last ?? 0) >= 0.10
            claims.append(Claim(statement: "ReLU: no hidden layer compresses under binning (each stays within 10% of its peak); only the softmax output falls",
                                holds: hiddenRise && outputFalls, evidence: "\(b): " + percent(c, relu.layers)))
        }
        if let k = kde(tanh), let b = binning(tanh) {
            let ck = compression(tanh, k), cb = compression(tanh, b)
            let last = hidden.last ?? 0
            claims.append(Claim(statement: "tanh: KDE (σ² = 0.1) compresses the last hidden layer less than binning",
                                holds: ck[last] < cb[last], evidence: "\(k): " + percent(ck, tanh.layers)))
        }
        if let k = kde(relu) {
            let c = compression(relu, k)
            claims.append(Claim(statement: "ReLU: KDE (σ² = 0.1) shows no compression in the hidden layers (each within 10% of its peak)",
                                holds: hidden.allSatisfy { c[$0] < 0.10 }, evidence: "\(k): " + percent(c, relu.layers)))
        }
        func transitions(_ a: AnalysisFile.Contents) -> String {
            zip(a.layers, a.transitions).map { "\($0) \($1.map(RepeatStatistics.epochText) ?? "none")" }.joined(separator: ", ")
        }
        let tanhFound = tanh.transitions.dropLast().filter { $0 != nil }.count
        let reluFound = relu.transitions.dropLast().filter { $0 != nil }.count
        claims.append(Claim(statement: "the gradient SNR drops from a high (drift) to a low (diffusion) phase with tanh and with ReLU",
                            holds: tanhFound * 2 >= hidden.count && reluFound * 2 >= hidden.count,
                            evidence: "transition epochs (median over runs), tanh: \(transitions(tanh)); ReLU: \(transitions(relu))"))
        return SaxeClaims(claims: claims)
    }

    package var report: String {
        claims.map { "\($0.holds ? "holds        " : "does not hold") \($0.statement)\n              \($0.evidence)" }.joined(separator: "\n")
    }
}
