import Foundation
import Reproduction

extension ReproduceCommand.JSON {
    struct Verdict: Encodable { var statement: String; var holds: Bool?; var measured: Double? }

    struct Individual: Encodable {
        struct Spread: Encodable { var layer: String; var meanIxtBits: Double?; var sdIxtBits: Double?; var meanItyBits: Double?; var sdItyBits: Double? }
        struct Moment: Encodable { var epoch: Int; var ours: [Spread]; var archive: [Spread] }
        var analysis: String
        var runs: Int, archiveRuns: Int
        var moments: [Moment]
        var verdicts: [Verdict]
        var figures: [String]
        init(_ study: IndividualNetworks, analysis: String, figures: [String]) {
            func spreads(_ list: [IndividualNetworks.Spread]) -> [Spread] {
                list.map { Spread(layer: $0.layer, meanIxtBits: finiteOrNil($0.meanIXT), sdIxtBits: finiteOrNil($0.sdIXT),
                                  meanItyBits: finiteOrNil($0.meanITY), sdItyBits: finiteOrNil($0.sdITY)) }
            }
            self.analysis = analysis
            runs = study.runs
            archiveRuns = study.archiveRuns
            moments = study.moments.map { Moment(epoch: $0.epoch, ours: spreads($0.ours), archive: spreads($0.archive)) }
            verdicts = [Verdict(statement: "at convergence the networks' layers lie together in I(T;Y) (s.d. < 0.05 bits)", holds: study.convergedTogether,
                                measured: finiteOrNil(study.moments.last?.ours.map(\.sdITY).max() ?? .nan))]
            if let ratio = study.spreadRatio {
                verdicts.append(Verdict(statement: "our spread in I(X;T) at convergence is the archive's within a factor 2", holds: (0.5...2).contains(ratio), measured: finiteOrNil(ratio)))
            }
            self.figures = figures
        }
    }

    struct Bound: Encodable {
        struct Layer: Encodable { var name: String; var ixtBits: Double?; var ityBits: Double?; var gapBits: Double? }
        struct Point: Encodable { var beta: Double; var ixtBits: Double?; var ityBits: Double? }
        var analysis: String
        var hyBits: Double
        var algorithm: [Point]
        var ours: [Layer], archive: [Layer]
        var holds: Bool
        var figures: [String]
        init(_ bound: BottleneckBound, analysis: String, figures: [String]) {
            func layers(_ list: [BottleneckBound.Layer]) -> [Layer] {
                list.map { Layer(name: $0.name, ixtBits: finiteOrNil($0.ixt), ityBits: finiteOrNil($0.ity), gapBits: finiteOrNil($0.gap)) }
            }
            self.analysis = analysis
            hyBits = bound.hy
            algorithm = bound.algorithm.map { Point(beta: $0.beta, ixtBits: finiteOrNil($0.ixt), ityBits: finiteOrNil($0.ity)) }
            ours = layers(bound.ours)
            archive = layers(bound.archive)
            holds = bound.holds
            self.figures = figures
        }
    }

    struct Depth: Encodable {
        struct Row: Encodable {
            var depth: Int; var widths: [Int]; var runs: Int; var layer: String
            var epochToFraction: Int?; var peakEpoch: Int; var compressedBits: Double?; var compressionEpochs: Int?; var testAccuracy: Double?
        }
        var fraction: Double
        var rows: [Row]
        var verdicts: [Verdict]
        var analyses: [String]
        var figures: [String]
        init(_ study: DepthStudy, analyses: [String], figures: [String]) {
            fraction = study.fraction
            rows = study.rows.map { Row(depth: $0.depth, widths: $0.widths, runs: $0.runs, layer: $0.layer, epochToFraction: $0.epochToFraction,
                                        peakEpoch: $0.peakEpoch, compressedBits: finiteOrNil($0.compressedBits),
                                        compressionEpochs: $0.compressionEpochs, testAccuracy: finiteOrNil($0.testAccuracy)) }
            verdicts = [Verdict(statement: "more hidden layers reach good generalisation in fewer epochs (ρ ≤ −0.6)",
                                holds: study.generalisationRho.map { $0 <= -0.6 }, measured: study.generalisationRho.flatMap(finiteOrNil)),
                        Verdict(statement: "the time to compress grows with the compressed information (ρ ≥ 0.6)",
                                holds: study.compressionRho.map { $0 >= 0.6 }, measured: study.compressionRho.flatMap(finiteOrNil))]
            self.analyses = analyses
            self.figures = figures
        }
    }

    struct Linear: Encodable {
        struct Snapshot: Encodable {
            var epoch: Int; var trainError: Double?; var testError: Double?
            var ixtBits: Double?; var ityBits: Double?; var relevantBits: Double?; var irrelevantBits: Double?
        }
        struct Score: Encodable { var estimator: String; var epoch: Int; var exactBits: Double?; var estimateBits: Double? }
        struct Study: Encodable { var settings: String; var snapshots: [Snapshot] }
        var overtraining: Study
        var irrelevant: Study
        var scores: [Score]
        var verdicts: [Verdict]
        var figures: [String]
        /// The text `reproduce` prints.
        var report: String

        init(overtraining first: LinearNetworkStudy, irrelevant second: LinearNetworkStudy, scores: [LinearNetworkStudy.Score], figures: [String]) {
            func study(_ s: LinearNetworkStudy) -> Study {
                Study(settings: s.describe(), snapshots: s.snapshots.map {
                    Snapshot(epoch: $0.epoch, trainError: finiteOrNil($0.trainError), testError: finiteOrNil($0.testError), ixtBits: finiteOrNil($0.ixt),
                             ityBits: finiteOrNil($0.ity), relevantBits: finiteOrNil($0.relevantInformation), irrelevantBits: finiteOrNil($0.irrelevantInformation))
                })
            }
            overtraining = study(first)
            irrelevant = study(second)
            self.scores = scores.map { Score(estimator: $0.estimator, epoch: $0.epoch, exactBits: finiteOrNil($0.exact), estimateBits: finiteOrNil($0.estimate)) }
            verdicts = [Verdict(statement: "a linear network overtrains (test error rises > 10% after its minimum) without compressing (I(X;T) never falls by 0.001 bits)",
                                holds: first.overtrainsWithoutCompressing, measured: finiteOrNil(first.largestDrop(\.ixt))),
                        Verdict(statement: "irrelevant information is compressed while the relevant is fitted",
                                holds: second.compressesIrrelevantWhileFitting, measured: finiteOrNil(second.largestDrop(\.irrelevantInformation)))]
            self.figures = figures
            var lines = ["Linear networks with exact information (Saxe et al. 2018, §4): \(first.describe())"]
            if let best = first.best, let last = first.snapshots.last {
                lines.append(String(format: "  test error: %.3f at epoch %d (its minimum), %.3f at epoch %d; train error %.3f at the end", best.testError, best.epoch, last.testError, last.epoch, last.trainError))
                lines.append(String(format: "  I(X;T) %.3f → %.3f bits (largest fall %.2g), I(T;Y) %.3f at the minimum → %.3f bits", first.snapshots[0].ixt, last.ixt,
                                    first.largestDrop(\.ixt), best.ity, last.ity))
            }
            lines.append(verdicts[0].holds == true ? "holds         \(verdicts[0].statement)" : "does not hold \(verdicts[0].statement)")
            lines.append("Relevant and irrelevant inputs (§6): \(second.describe())")
            if let peak = second.snapshots.max(by: { $0.irrelevantInformation < $1.irrelevantInformation }), let last = second.snapshots.last {
                lines.append(String(format: "  I(T;X irrelevant) peaks at %.3f bits at epoch %d and ends at %.3f; I(T;X relevant) ends at %.3f bits", peak.irrelevantInformation, peak.epoch,
                                    last.irrelevantInformation, last.relevantInformation))
            }
            lines.append(verdicts[1].holds == true ? "holds         \(verdicts[1].statement)" : "does not hold \(verdicts[1].statement)")
            lines.append("Our estimators against the exact I(X;T) of the overtraining network's hidden layer (2000 fresh inputs):")
            for score in scores {
                lines.append(String(format: "  epoch %6d  %-18@ exact %7.3f  estimate %7.3f  error %+7.3f bits", score.epoch, score.estimator, score.exact, score.estimate, score.error))
            }
            report = lines.joined(separator: "\n")
        }
    }
}
