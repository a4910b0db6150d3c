import Attribution
import Foundation
import Reports

extension ExplainCommand {
    /// `explain --json`: what the text summary prints and the report holds, per method and
    /// sample (snake_case keys; numbers that are not finite, like Σ map / logit of a method
    /// without conservation, are null).
    struct JSON: Encodable {
        struct Method: Encodable {
            struct Faithfulness: Encodable {
                /// Per sample, as in the report.
                var aopc: [Double?], aopcRandom: [Double?]
                var deletion: [Double?], deletionRandom: [Double?]
                var insertion: [Double?], insertionRandom: [Double?]
            }
            struct SanityStep: Encodable {
                var randomizedThrough: String
                /// Per sample: Spearman ρ between the original map and the map with the layers
                /// up to `randomized_through` randomised, signed and of absolute values.
                var spearman: [Double?], spearmanAbsolute: [Double?]
            }
            var name: String
            var seconds: Double
            /// Per sample: Σ map / explained logit.
            var conservation: [Double?]
            var medianConservation: Double?
            var faithfulness: Faithfulness?
            var sanity: [SanityStep]
        }
        var run: String
        var experiment: String
        var epoch: Int
        var rows: [Int]
        var labels: [Int]
        var targets: [Int]
        var explainsLabels: Bool
        var bias: String
        var seconds: Double
        var report: [String]
        var methods: [Method]

        init(_ study: ExplanationStudy, seconds: Double, report: [String]) {
            let finite: ([Double]) -> [Double?] = { $0.map(finiteOrNil) }
            run = study.runPath
            experiment = study.experiment
            epoch = study.epoch
            rows = study.rows
            labels = study.labels
            targets = study.targets
            explainsLabels = study.explainsLabels
            bias = study.bias.rawValue
            self.seconds = seconds
            self.report = report
            methods = study.methods.map { m in
                Method(name: m.name, seconds: m.seconds, conservation: finite(m.conservation),
                       medianConservation: finiteOrNil(m.medianConservation),
                       faithfulness: m.faithfulness.map { f in
                           Method.Faithfulness(aopc: finite(f.aopc), aopcRandom: finite(f.aopcRandom), deletion: finite(f.deletion),
                                               deletionRandom: finite(f.deletionRandom), insertion: finite(f.insertion),
                                               insertionRandom: finite(f.insertionRandom))
                       },
                       sanity: m.sanity.map { Method.SanityStep(randomizedThrough: $0.layer, spearman: finite($0.spearman),
                                                                spearmanAbsolute: finite($0.spearmanAbsolute)) })
            }
        }
    }
}
