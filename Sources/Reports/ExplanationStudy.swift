import Attribution
import Configuration
import Experiments
import Foundation
import Information
import Networks
import Tensor

/// Everything `infoplane explain` reports: the maps of every method for the chosen
/// inputs, their conservation, faithfulness and randomisation scores, and timings.
package struct ExplanationStudy: Sendable {
    /// The study's settings (defined once, in Experiments, for the CLI and configs alike).
    package typealias Options = ExplanationOptions

    package struct MethodResult: Sendable {
        package var name: String
        package var attribution: Attribution
        /// What the map's values are (only maps in logit units are compared with the logit).
        package var units: AttributionUnits
        package var seconds: Double
        /// Σ map / explained logit per input.
        package var conservation: [Double]
        /// The median of ``conservation`` (robust to logits near 0).
        package var medianConservation: Double {
            let sorted = conservation.filter(\.isFinite).sorted()
            guard !sorted.isEmpty else { return .nan }
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        /// LRP: per layer input (and the output), the mean over inputs of total / logit.
        package var layerConservation: [Double]
        /// Why conservation does not (or cannot) hold, for this model and method.
        package var reasons: [String]
        package var faithfulness: Faithfulness.Scores?
        package var sanity: [CascadingRandomization.Step]
    }

    package var experiment: String
    package var runPath: String
    package var epoch: Int
    package var layers: [String]
    package var inputShape: [Int]
    package var rows: [Int]
    package var inputs: Tensor
    package var labels: [Int]
    /// Softmax probabilities `[input][class]`.
    package var probabilities: [[Float]]
    package var targets: [Int]
    /// Whether the targets are the labels (else the predictions).
    package var explainsLabels: Bool
    package var bounds: (low: Float, high: Float)?
    package var bias: BiasConvention
    package var methods: [MethodResult]
    package var faithfulnessSettings: Faithfulness?
    /// Feature-visualisation figures: title, the images, a line of numbers.
    package var features: [(title: String, figure: ImageGridFigure, note: String)] = []
    /// The classes' names where the data set has them (Fashion-MNIST's ten), else "class k".
    package var classNames: [String] = []
    /// What the logged epoch means, e.g. "epoch 4 is the state after 5 of the run's 5 epochs".
    package var epochNote: String = ""
    /// The run's seed, for the footer.
    package var seed: UInt64 = 0
    /// The data file the samples come from (`explain --data`); nil for the run's recorded samples.
    package var source: String?
    /// Per layer, whether every path from the input to the logit passes through it: only
    /// then does the relevance entering it hold the whole total (a branch carries a part).
    package var onEveryPath: [Bool] = []

    /// The name of class `k`.
    package func className(_ k: Int) -> String { classNames.indices.contains(k) ? classNames[k] : "class \(k)" }

    package static func run(_ path: String, epoch: Int?, options: Options) throws -> ExplanationStudy {
        let loaded = try RunModel.load(path, epoch: epoch)
        let model = loaded.model
        let samples = try options.data.map { data in try Self.samples(data, for: loaded, seed: options.seed) }
        let all = try samples?.inputs ?? loaded.run.inputs()
        let labels = try samples.map { $0.labels.map(Int.init) } ?? loaded.run.labels().map(Int.init)
        let splits = try samples.map { [UInt8](repeating: 1, count: $0.count) } ?? loaded.run.splits()
        let inputWidth = all.rowSize
        let informative = { (row: Int) -> Bool in
            // A constant input (var_u's all-zero pattern) has identically zero maps: nothing to see.
            let values = all.scalars[(row * inputWidth)..<((row + 1) * inputWidth)]
            return values.contains { $0 != values.first }
        }
        let rows: [Int]
        switch (options.rows, options.selection) {
        case (let given?, _): rows = given
        case (nil, .spread): rows = try defaultRows(labels: labels, splits: splits, count: options.count, informative: informative)
        case (nil, .perClass(let n)): rows = perClassRows(labels: labels, splits: splits, count: n, informative: informative)
        case (nil, .misclassified(let n)):
            rows = misclassifiedRows(model, inputs: all, labels: labels, splits: splits, count: n, informative: informative)
            guard !rows.isEmpty else { throw ExplanationError("the model classifies every test sample correctly: nothing for --misclassified") }
        }
        guard !rows.isEmpty else { throw ExplanationError("no inputs to explain (--count must be at least 1)") }
        if let bad = rows.first(where: { !(0..<all.rows).contains($0) }) {
            throw ExplanationError("input row \(bad) is outside the \(all.rows) \(options.data == nil ? "samples the run recorded" : "samples of --data")")
        }
        let inputs = all.gatherRows(rows)
        let bounds: (low: Float, high: Float)? = options.unbounded ? nil
            : options.bounds ?? ((all.scalars.min() ?? 0), (all.scalars.max() ?? 1))
        let context = AttributionCatalog.Context(bounds: bounds, bias: options.bias, seed: options.seed)
        // Deletion writes, and insertion starts from, the lower bound (black for pixels).
        var faithfulness = options.faithfulness
        if let low = bounds?.low { faithfulness?.baseline = low }
        let target: Target = options.explainLabels ? .classes(rows.map { labels[$0] }) : .predicted
        let probabilities = model.probabilities(inputs)
        let width = probabilities.rowSize
        let probabilityRows = (0..<inputs.rows).map { Array(probabilities.scalars[($0 * width)..<(($0 + 1) * width)]) }
        let methodNames = options.methods ?? AttributionCatalog.defaults(for: model)
        let steps = options.faithfulness?.steps
        try ExplanationPlan(model: model, samples: rows.count, methods: methodNames.count, faithfulnessSteps: steps,
                            occlusion: options.features || methodNames.contains { $0.hasPrefix("occlusion") })
            .check(samples: rows.count, steps: steps)
        var results: [MethodResult] = []
        for name in methodNames {
            let method = try AttributionCatalog.method(name, model: model, context: context)
            let start = Date()
            let attribution = try method.attribute(model, inputs: inputs, target: target)
            let seconds = Date().timeIntervalSince(start)
            // Σ map / logit only where the map is in the logit's units; elsewhere undefined (–).
            let conservation = zip(attribution.totals, attribution.explained).map { method.units == .logit ? $0 / Double($1) : .nan }
            let layerConservation = attribution.layerTotals.map { totals in
                zip(totals, attribution.explained).map { $0 / Double($1) }.reduce(0, +) / Double(max(totals.count, 1))
            }
            let scores = try faithfulness?.evaluate(model, inputs: inputs, attribution: attribution)
            let sanity = options.sanity ? try CascadingRandomization(seed: options.seed).run(model, inputs: inputs, method: method, target: .classes(attribution.targets)) : []
            results.append(MethodResult(name: name, attribution: attribution, units: method.units, seconds: seconds, conservation: conservation,
                                        layerConservation: layerConservation, reasons: method.conservationReasons(model: model, bias: options.bias),
                                        faithfulness: scores, sanity: sanity))
        }
        let targets = results.first?.attribution.targets ?? target.resolve(model(inputs))
        var features: [(title: String, figure: ImageGridFigure, note: String)] = []
        if options.features {
            let range = bounds ?? ((all.scalars.min() ?? 0), (all.scalars.max() ?? 1))
            if model.layers.contains(where: { $0.kind == .conv2d }) {
                let (svg, lines) = try FeatureFigures.filters(model, layer: nil)
                features.append(("First-layer filters", svg, lines.joined(separator: "; ")))
            }
            let classes = Array(Set(targets)).sorted()
            let (maximized, lines) = try FeatureFigures.maximize(model, objectives: classes.map { ("class \($0)", .classScore($0)) },
                                                                 presets: ["yosinski3"], steps: 200, stepSize: 0.01 * (range.1 - range.0),
                                                                 bounds: (range.0, range.1), seed: options.seed)
            features.append(("Activation maximisation of the explained classes (Yosinski et al.'s third regularisation, 200 steps)", maximized,
                             lines.joined(separator: "; ")))
            if model.inputShape.count == 3 {
                let (occluded, notes) = try FeatureFigures.occlusion(model, inputs: inputs, labels: rows.map { labels[$0] }, window: 6, stride: 2,
                                                                     baseline: (range.0 + range.1) / 2)
                features.append(("Occlusion: the true class's probability with a grey 6×6 square over each place", occluded, notes.joined(separator: "; ")))
            }
        }
        var study = ExplanationStudy(experiment: loaded.run.experiment, runPath: path, epoch: loaded.epoch,
                                     layers: model.layers.map { "\($0.name) (\($0.kind)\($0.activation == .linear ? "" : ", \($0.activation.rawValue)"))" },
                                     inputShape: model.inputShape, rows: rows, inputs: inputs, labels: rows.map { labels[$0] },
                                     probabilities: probabilityRows, targets: targets, explainsLabels: options.explainLabels, bounds: bounds, bias: options.bias,
                                     methods: results, faithfulnessSettings: faithfulness, features: features)
        study.classNames = ClassNames.of(dataset: loaded.run.datasetName(), count: width)
        let completed = loaded.run.timing == .after ? loaded.epoch + 1 : loaded.epoch
        study.epochNote = "epoch \(loaded.epoch) is the state after \(completed) of the run's \(loaded.run.totalEpochs) training epochs"
            + " (logged epochs count from 0, \(loaded.run.timing == .after ? "after" : "before") that epoch's updates)"
        study.seed = loaded.run.seed
        study.source = options.data?.path ?? options.data?.inputs
        let throughAll = DPICheck.dominators(inputs: model.inputs).last ?? []
        study.onEveryPath = model.layers.indices.map { throughAll.contains($0) }
        return study
    }

    /// The samples of a data file (`explain --data`), in the model's input shape and
    /// within its classes; the file's images are transposed as the run's configuration
    /// (or `layout`) says.
    static func samples(_ data: DataConfig, for loaded: RunModel, seed: UInt64) throws -> Examples {
        // The run's model configuration, told the input shape so that images are turned
        // to fit it (a lab-trained CNN's configuration does not state it).
        var stored = try? ExperimentConfig.stored(loaded.run.config, file: loaded.run.path).model
        stored?.inputShape = loaded.model.inputShape
        let prepared = try PreparedData.load(data, model: stored, seed: seed, file: "--data")
        guard prepared.sampleShape == loaded.model.inputShape else {
            throw ExplanationError("--data: samples of shape \(prepared.sampleShape); the model takes \(loaded.model.inputShape)")
        }
        let classes = loaded.model.outputSize
        if let bad = prepared.examples.labels.firstIndex(where: { $0 < 0 || Int($0) >= classes }) {
            throw ExplanationError("--data: label \(prepared.examples.labels[bad]) of sample \(bad) is outside the model's \(classes) classes")
        }
        return prepared.examples
    }

    /// The test samples (split 1), or every sample when there are none.
    static func testPool(_ splits: [UInt8]) -> [Int] {
        let pool = splits.indices.filter { splits[$0] == 1 }
        return pool.isEmpty ? Array(splits.indices) : pool
    }

    /// The first `count` informative test samples of every class, class by class.
    static func perClassRows(labels: [Int], splits: [UInt8], count: Int, informative: (Int) -> Bool) -> [Int] {
        let pool = testPool(splits).filter(informative)
        return Set(pool.map { labels[$0] }).sorted().flatMap { c in pool.filter { labels[$0] == c }.prefix(count) }
    }

    /// The first `count` informative test samples the model gets wrong, from forward passes
    /// over blocks of 256 test samples (memory of one block; no pass beyond the block that
    /// completes the count).
    static func misclassifiedRows(_ model: Sequential, inputs: Tensor, labels: [Int], splits: [UInt8], count: Int,
                                  informative: (Int) -> Bool) -> [Int] {
        let pool = testPool(splits).filter(informative)
        var rows: [Int] = []
        var start = 0
        while start < pool.count && rows.count < count {
            let block = Array(pool[start..<min(start + 256, pool.count)])
            let predicted = Target.predicted.resolve(model(inputs.gatherRows(block)))
            rows += zip(block, predicted).filter { labels[$0.0] != $0.1 }.map(\.0).prefix(count - rows.count)
            start += block.count
        }
        return rows
    }

    /// `count` test samples (the training ones when there is no test split), taking the
    /// first of each class in turn so that the classes differ, and only `informative` ones
    /// unless there are none.
    package static func defaultRows(labels: [Int], splits: [UInt8], count: Int, informative: (Int) -> Bool = { _ in true }) throws -> [Int] {
        var pool = testPool(splits)
        let useful = pool.filter(informative)
        if !useful.isEmpty { pool = useful }
        var chosen: [Int] = [], used = Set<Int>()
        let classes = Array(Set(pool.map { labels[$0] })).sorted()
        while chosen.count < min(count, pool.count) {
            var added = false
            for c in classes where chosen.count < count {
                if let row = pool.first(where: { labels[$0] == c && !used.contains($0) }) {
                    chosen.append(row)
                    used.insert(row)
                    added = true
                }
            }
            if !added { break }
        }
        return chosen
    }
}
