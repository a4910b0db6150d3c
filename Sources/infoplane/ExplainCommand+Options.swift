import Attribution
import Foundation
import Configuration

extension ExplainCommand {
    /// The study's options from the command line, each checked against its range.
    func explanationOptions() throws -> ExplanationOptions {
        var options = ExplanationOptions()
        options.methods = methods.map { $0.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces)) } }
        if let inputs {
            // Rows and ranges of rows: 0,5,7 or 0-99 (both ends included).
            var rows: [Int] = []
            for item in inputs.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                let ends = item.split(separator: "-", maxSplits: 1).map { Int($0) }
                guard let first = ends.first ?? nil, ends.allSatisfy({ $0 != nil }), let last = ends.last ?? nil, first <= last,
                      last - first < 100_000, rows.count + (last - first) < 100_000 else {
                    throw InputError("--inputs \(inputs): expected row numbers and ranges such as 0,5,7 or 0-99 (at most 100000 rows)")
                }
                rows += Array(first...last)
            }
            options.rows = rows
        }
        options.count = count
        guard [inputs != nil, perClass != nil, misclassified != nil].filter({ $0 }).count <= 1 else {
            throw InputError("--inputs, --per-class and --misclassified each choose the samples: give one")
        }
        if let n = perClass ?? misclassified {
            guard ExplanationOptions.countRange.contains(n) else {
                throw InputError("--\(perClass != nil ? "per-class" : "misclassified") \(n): between \(ExplanationOptions.countRange.lowerBound) and \(ExplanationOptions.countRange.upperBound)")
            }
            options.selection = perClass != nil ? .perClass(n) : .misclassified(n)
        }
        options.explainLabels = labels
        switch bounds {
        case "auto": break
        case "none": options.unbounded = true
        default:
            let parts = bounds.split(separator: ",").compactMap { Float($0) }
            guard parts.count == 2, parts[0] < parts[1] else { throw InputError("--bounds \(bounds): expected low,high with low < high, auto or none") }
            options.bounds = (parts[0], parts[1])
        }
        guard let convention = BiasConvention(rawValue: bias) else {
            throw InputError("--bias \(bias): expected one of \(BiasConvention.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        options.bias = convention
        guard let replacementKind = Faithfulness.Replacement(rawValue: replacement) else {
            throw InputError("--replacement \(replacement): expected baseline or noise")
        }
        guard ExplanationOptions.countRange.contains(count) else {
            throw InputError("--count \(count): expected \(ExplanationOptions.countRange.lowerBound) to \(ExplanationOptions.countRange.upperBound)")
        }
        guard ExplanationOptions.regionRange.contains(region) else {
            throw InputError("--region \(region): expected \(ExplanationOptions.regionRange.lowerBound) to \(ExplanationOptions.regionRange.upperBound)")
        }
        guard ExplanationOptions.stepRange.contains(steps) else {
            throw InputError("--steps \(steps): expected \(ExplanationOptions.stepRange.lowerBound) to \(ExplanationOptions.stepRange.upperBound) (each step is a forward pass over every explained sample)")
        }
        var faithfulness = ExplanationOptions.defaultFaithfulness
        faithfulness.region = region
        faithfulness.steps = steps
        faithfulness.replacement = replacementKind
        faithfulness.seed = seed
        options.faithfulness = noFaithfulness ? nil : faithfulness
        options.sanity = !noSanity
        options.features = !noFeatures
        options.seed = seed
        if let data {
            options.data = try DataFileSpec.config(try DataFileSpec.items(file: data, inputs: dataInputs, labels: dataLabels, layout: layout), trainFraction: 0)
        } else if dataInputs != nil || dataLabels != nil || layout != nil {
            throw InputError("--data-inputs, --data-labels and --layout describe --data, which is not given")
        }
        return options
    }
}
