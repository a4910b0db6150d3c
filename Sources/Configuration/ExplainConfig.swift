import Attribution

/// `explain`: an explanation report that `infoplane run` writes after training (for the
/// first run of each folder), with the options of `infoplane explain`:
///
/// ```yaml
/// explain:
///   methods: [gradient, integrated_gradients, lrp:epsilon_plus_flat]   # default: suited to the model
///   count: 6              # or inputs: [3, 17, 40] (rows of the recorded samples)
///   labels: false         # explain the labels instead of the predictions
///   bias: zennit          # zennit, captum, innvestigate, zero
///   bounds: auto          # auto, none, or [low, high]
///   region: 2             # faithfulness regions (image side)
///   steps: 20
///   replacement: baseline # or noise
///   faithfulness: true
///   sanity: true
///   features: true
/// ```
package struct ExplainConfig: Sendable {
    package var options = ExplanationOptions()

    package static let keys = ["methods", "count", "inputs", "labels", "bias", "bounds", "region", "steps", "replacement", "faithfulness", "sanity", "features"]

    package init(_ reader: ConfigReader) throws(ConfigError) {
        let e = try reader.mapping(allowed: Self.keys)
        if let methods = e["methods"] {
            var names: [String] = []
            for item in try methods.sequence() {
                let name = try item.string()
                let known = AttributionCatalog.names.contains(name) || name.hasPrefix("gradcam:")
                    || (name.hasPrefix("lrp:") && AttributionCatalog.composites.contains(String(name.dropFirst(4))))
                guard known else { throw item.error("unknown method \(name) (known: \(AttributionCatalog.names.joined(separator: ", ")), gradcam:<layer>)") }
                names.append(name)
            }
            options.methods = names
        }
        if let count = e["count"] { options.count = try count.int(in: ExplanationOptions.countRange) }
        if let inputs = e["inputs"] { options.rows = try inputs.ints(in: 0...Int(Int32.max)) }
        if let labels = e["labels"] { options.explainLabels = try labels.bool() }
        if let bias = e["bias"] { options.bias = try bias.choice(BiasConvention.self) }
        if let bounds = e["bounds"] {
            if bounds.scalarText != nil {
                options.unbounded = try bounds.choice(["auto", "none"]) == "none"
            } else {
                let values = try bounds.doubles(in: -1e12...1e12)
                guard values.count == 2, values[0] < values[1] else { throw bounds.error("bounds are [low, high] with low < high, auto or none") }
                options.bounds = (Float(values[0]), Float(values[1]))
            }
        }
        var faithfulness = ExplanationOptions.defaultFaithfulness
        if let region = e["region"] { faithfulness.region = try region.int(in: ExplanationOptions.regionRange) }
        if let steps = e["steps"] { faithfulness.steps = try steps.int(in: ExplanationOptions.stepRange) }
        if let replacement = e["replacement"] { faithfulness.replacement = try replacement.choice(Faithfulness.Replacement.self) }
        options.faithfulness = try e["faithfulness"]?.bool() ?? true ? faithfulness : nil
        if let sanity = e["sanity"] { options.sanity = try sanity.bool() }
        if let features = e["features"] { options.features = try features.bool() }
    }
}

/// What an explanation study does: methods, inputs, bounds, conventions, and which
/// checks run. Its defaults are the one set that `infoplane explain` (whose options start
/// from them) and a config's `explain:` section share, so both give the same report.
package struct ExplanationOptions: Sendable {
    package var methods: [String]?
    /// Rows of the run's recorded samples; nil picks `count` test samples, one class
    /// after another.
    package var rows: [Int]?
    package var count: Int = 6
    /// How samples are chosen when `rows` is nil.
    package var selection: Selection = .spread
    package enum Selection: Sendable, Equatable {
        /// `count` test samples, one class after another.
        case spread
        /// The first n test samples of every class (`explain --per-class n`).
        case perClass(Int)
        /// The first n test samples the model gets wrong (`explain --misclassified n`).
        case misclassified(Int)
    }
    /// Explain the label instead of the prediction.
    package var explainLabels = false
    /// nil: the recorded inputs' min and max.
    package var bounds: (low: Float, high: Float)?
    package var unbounded = false
    package var bias: BiasConvention = .zennit
    package var faithfulness: Faithfulness? = ExplanationOptions.defaultFaithfulness
    package var sanity = true
    /// Add the feature-visualisation section: first-layer filters, the explained
    /// classes maximised, occlusion probability maps.
    package var features = true
    package var seed: UInt64 = 0
    /// Samples of a data file to explain instead of the run's recorded ones (`explain
    /// --data`); `rows` and `count` then refer to the file's samples, all counted as test
    /// samples.
    package var data: DataConfig?
    package init() {}

    /// The faithfulness settings of a report: 2×2 regions of an image (single features of
    /// a flat input) set to the baseline, 20 steps (Samek et al. 2017's AOPC with the
    /// baseline replacement; `noise` is their alternative).
    /// The faithfulness region sides and perturbation steps accepted, in configs and on
    /// the command line alike (each step is a forward pass over every explained sample).
    package static let regionRange = 1...1000
    /// How many samples may be explained at once.
    package static let countRange = 1...10_000
    package static let stepRange = 1...10_000
    package static let defaultFaithfulness = Faithfulness(region: 2, steps: 20, replacement: .baseline)
}
