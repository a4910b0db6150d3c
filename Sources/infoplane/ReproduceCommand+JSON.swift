import Foundation
import Reproduction

extension ReproduceCommand {
    /// `reproduce --json`: the measured numbers and verdicts of the parts that ran
    /// (snake_case keys; a part not run is absent).
    struct JSON: Encodable {
        struct Archived: Encodable {
            struct Layer: Encodable {
                var name: String
                var ixtRmsBits: Double?, ityRmsBits: Double?
                var ourPeakEpoch: Int, ourPeakBits: Double?
                var archivePeakEpoch: Int, archivePeakBits: Double?
                var ourFinalIxtBits: Double?, archiveFinalIxtBits: Double?
                var ourFinalItyBits: Double?, archiveFinalItyBits: Double?
                /// Share of common epochs where our mean I(X;T) is within the archive's ±2σ.
                var withinTwoSigma: Double?
            }
            var analysis: String
            var ourRuns: Int, archiveRuns: Int
            var commonEpochs: Int
            var layers: [Layer]
            var figures: [String]

            init(_ c: ArchiveComparison, analysis: String, figures: [String]) {
                self.analysis = analysis
                ourRuns = c.ourRuns
                archiveRuns = c.archiveRuns
                commonEpochs = c.epochs.count
                self.figures = figures
                layers = c.layers.map {
                    Layer(name: $0.name, ixtRmsBits: finiteOrNil($0.ixtRMS), ityRmsBits: finiteOrNil($0.ityRMS),
                          ourPeakEpoch: $0.ourPeak.epoch, ourPeakBits: finiteOrNil($0.ourPeak.bits),
                          archivePeakEpoch: $0.archivePeak.epoch, archivePeakBits: finiteOrNil($0.archivePeak.bits),
                          ourFinalIxtBits: finiteOrNil($0.ourFinal), archiveFinalIxtBits: finiteOrNil($0.archiveFinal),
                          ourFinalItyBits: finiteOrNil($0.ourFinalITY), archiveFinalItyBits: finiteOrNil($0.archiveFinalITY),
                          withinTwoSigma: finiteOrNil($0.withinSpread))
                }
            }
        }
        struct Claim: Encodable { var statement: String; var holds: Bool; var evidence: String }
        struct Saxe: Encodable {
            var analyses: [String]
            var claims: [Claim]
            init(_ claims: SaxeClaims, analyses: [String]) {
                self.analyses = analyses
                self.claims = claims.claims.map { Claim(statement: $0.statement, holds: $0.holds, evidence: $0.evidence) }
            }
        }
        struct Sizes: Encodable {
            struct Row: Encodable { var trainFraction: Double; var runs: Int; var peakItyBits: Double?; var finalItyBits: Double?; var lateDropBits: Double? }
            var layer: String
            /// Whether I(T;Y) drops late with the smallest share and not with the largest; null
            /// without both.
            var holds: Bool?
            var rows: [Row]
            var analyses: [String]
            var figures: [String]
            init(_ study: TrainingSetSizeStudy, analyses: [String], figures: [String]) {
                layer = study.layer
                holds = study.holds
                rows = study.rows.map { Row(trainFraction: $0.fraction, runs: $0.runs, peakItyBits: finiteOrNil($0.peak),
                                            finalItyBits: finiteOrNil($0.final), lateDropBits: finiteOrNil($0.drop)) }
                self.analyses = analyses
                self.figures = figures
            }
        }
        var archived: Archived?
        var individual: Individual?
        var bound: Bound?
        var saxe: Saxe?
        var sizes: Sizes?
        var depth: Depth?
        var linear: Linear?
        var seconds = 0.0
    }
}
