import Foundation

extension AnalysisFile {
    /// The analysis as one tidy table, a row per estimator, run, logged epoch and layer:
    ///
    ///     experiment,variant,estimator,seed,run,epoch,layer_index,layer,ixt_bits,ity_bits
    ///
    /// `variant` is the sweep variant (`widths=[8, 6, 4]`, empty when none), `run` the run
    /// file's name, `layer_index` the layer's position from the input (0-based). Fields
    /// holding a comma or quote are quoted (RFC 4180). Values are printed with Swift's
    /// shortest round-trip representation, so they parse back to the stored doubles.
    public static func csv(_ contents: Contents) -> String {
        var lines = ["experiment,variant,estimator,seed,run,epoch,layer_index,layer,ixt_bits,ity_bits"]
        let experiment = field(contents.experiment), variant = field(contents.variant ?? "")
        for label in contents.labels {
            guard let ixt = contents.ixtRuns[label], let ity = contents.ityRuns[label] else { continue }
            for (r, run) in contents.analysedRuns.enumerated() where r < ixt.count {
                let name = field((run.path as NSString).lastPathComponent)
                for (e, epoch) in contents.epochs.enumerated() where e < ixt[r].count {
                    for (l, layer) in contents.layers.enumerated() {
                        lines.append("\(experiment),\(variant),\(label),\(run.seed),\(name),\(epoch),\(l),\(field(layer)),\(ixt[r][e][l]),\(ity[r][e][l])")
                    }
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func field(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
