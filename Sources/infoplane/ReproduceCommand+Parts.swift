import Analysis
import Experiments
import Foundation
import Recording
import Reproduction

extension ReproduceCommand {
    /// Whether `--part` asks for `p` (or for all).
    func wants(_ p: Part) -> Bool { part.contains(.all) || part.contains(p) }

    /// Saxe et al. 2018's claims on our tanh and ReLU runs (``SaxeClaims``).
    func saxe() throws -> JSON.Saxe {
        let start = Date()
        let tanh = try trainAndAnalyse(file("saxe2018-tanh.yaml"), repeats: repeats)
        let relu = try trainAndAnalyse(file("saxe2018-relu.yaml"), repeats: repeats)
        let claims = SaxeClaims.evaluate(tanh: try AnalysisFile.read(tanh.output), relu: try AnalysisFile.read(relu.output))
        say("Saxe et al. 2018, measured on our runs (\(tanh.runs) + \(relu.runs) runs; figures in \(plotsFolder)/saxe2018-*):")
        say(claims.report)
        say(String(format: "time: %.1f s", Date().timeIntervalSince(start)))
        return JSON.Saxe(claims, analyses: [tanh.output, relu.output])
    }

    /// 2017, Fig. 3: the same network trained on 5%, 45% and 85% of var_u
    /// (``TrainingSetSizeStudy``).
    func sizes() throws -> JSON.Sizes {
        let start = Date()
        let file = file("tishby2017.yaml")
        let configured = try ExperimentLoader.load(file).first?.config.repeats ?? 10
        var analyses: [(fraction: Double, analysis: AnalysisFile.Contents)] = []
        var paths: [String] = []
        for fraction in [0.05, 0.45, 0.85] {
            let outcome = try trainAndAnalyse(file, repeats: repeats ?? min(configured, 10), overrides: ["data.train_fraction=\(fraction)"],
                                              results: (resultsFolder as NSString).appendingPathComponent("sizes-\(Int(fraction * 100))"))
            analyses.append((fraction, try AnalysisFile.read(outcome.output)))
            paths.append(outcome.output)
        }
        let study = TrainingSetSizeStudy.evaluate(analyses)
        let figures = try write(study.figures())
        say(study.report)
        say(String(format: "time: %.1f s", Date().timeIntervalSince(start)))
        return JSON.Sizes(study, analyses: paths, figures: figures)
    }

    /// 2017, Fig. 2: the archived setting's networks one by one (``IndividualNetworks``).
    func individual(_ setting: ExperimentAnalysis.Outcome) throws -> JSON.Individual {
        let archived = FileManager.default.fileExists(atPath: archive) ? try ArchivedRun.read(archive) : nil
        let study = try IndividualNetworks.evaluate(try AnalysisFile.read(setting.output), label: "binning_edges50", archive: archived)
        say(study.report)
        return JSON.Individual(study, analysis: setting.output, figures: try write(study.figures()))
    }

    /// 2017, Fig. 6: the converged layers against the IB curve (``BottleneckBound``).
    func bound(_ setting: ExperimentAnalysis.Outcome) throws -> JSON.Bound {
        let analysis = try AnalysisFile.read(setting.output)
        guard let run = try analysis.runFiles().first else { throw InputError("\(setting.output): no runs") }
        // The recorded samples: all 4096 patterns of var_u, each once (x uniform).
        let labels = try RunFile.open(run).labels()
        let archived = FileManager.default.fileExists(atPath: archive) ? try ArchivedRun.read(archive) : nil
        let bound = try BottleneckBound.evaluate(labels: labels, analysis: analysis, label: "binning_edges50", archive: archived)
        say(bound.report)
        return JSON.Bound(bound, analysis: setting.output, figures: try write(bound.figures()))
    }

    /// 2017, Fig. 5: 1 to 6 hidden layers (``DepthStudy``).
    func depth() throws -> JSON.Depth {
        let start = Date()
        let file = file("tishby2017.yaml")
        let configured = try ExperimentLoader.load(file).first?.config.repeats ?? 5
        var studies: [(depth: Int, analysis: AnalysisFile.Contents, testAccuracy: Double)] = []
        var paths: [String] = []
        for depth in 1...DepthStudy.widths.count {
            let widths = DepthStudy.widths.prefix(depth).map(String.init).joined(separator: ", ")
            let outcome = try trainAndAnalyse(file, repeats: repeats ?? min(configured, 5),
                                              overrides: ["model.widths=[\(widths)]", "data.train_fraction=0.8"],
                                              results: (resultsFolder as NSString).appendingPathComponent("depth-\(depth)"))
            let analysis = try AnalysisFile.read(outcome.output)
            let accuracies = try analysis.runFiles().map { try RunFile.open($0).summary().finalMetrics["test_accuracy"] ?? .nan }
            studies.append((depth, analysis, accuracies.reduce(0, +) / Double(max(accuracies.count, 1))))
            paths.append(outcome.output)
        }
        let study = DepthStudy.evaluate(studies, hy: 0.999157)
        say(study.report)
        let figures = try write(study.figures())
        say(String(format: "time: %.1f s", Date().timeIntervalSince(start)))
        return JSON.Depth(study, analyses: paths, figures: figures)
    }

    /// Saxe et al. 2018, §4 and §6: linear networks with exact information (``LinearNetworkStudy``).
    func linear() throws -> JSON.Linear {
        let start = Date()
        var overtraining = LinearNetworkStudy.Settings()
        var irrelevant = LinearNetworkStudy.Settings()
        irrelevant.relevant = 30
        irrelevant.samples = 400
        irrelevant.outputNoise = 0.1
        irrelevant.batchSize = 10
        irrelevant.learningRate = 0.005
        if let epochs {
            overtraining.epochs = epochs
            irrelevant.epochs = epochs
        } else {
            irrelevant.epochs = 2000
        }
        let first = LinearNetworkStudy.run(overtraining)
        let second = LinearNetworkStudy.run(irrelevant)
        let scored = first.scores(at: [first.snapshots.firstIndex { $0.epoch == first.best?.epoch } ?? 0, first.snapshots.count - 1])
        let json = JSON.Linear(overtraining: first, irrelevant: second, scores: scored, figures: try write([
            ("linear_overtraining", first.curves("A linear network overtrains; its exact I(X;T) never falls (Saxe et al. 2018, §4)")),
            ("linear_irrelevant", second.curves("Irrelevant inputs: their information rises, then is compressed (Saxe et al. 2018, §6)")),
        ]))
        say(json.report)
        say(String(format: "time: %.1f s", Date().timeIntervalSince(start)))
        return json
    }
}
