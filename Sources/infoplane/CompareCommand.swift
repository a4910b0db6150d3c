import ArgumentParser
import Foundation
import Reports

/// `infoplane compare RESULTS… -o DIR`: sweep variants and experiments side by side.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Put analysed sweep variants and experiments side by side: planes, layer paths, curves, a table, a page.",
        discussion: """
        Every folder holding analysis.h5 under the given paths is one variant (a sweep's \
        experiment folder gives all its variants). Writes into the output folder: planes \
        (information planes on shared, stated axes), layer_paths (the chosen layers' paths \
        overlaid), training_curves and gradient_snr (overlaid, bands ±1 s.d. over runs), \
        compare.csv (final numbers per variant) and compare.html (interactive plane per \
        variant with a picker, the table and the figures; self-contained).

        `infoplane run` on a config with a sweep writes the same for its variants into \
        plots/<experiment>/compare/.

        Examples:
          infoplane compare results/quick results/tishby2017 \\
              -o plots/quick-vs-tishby2017
          infoplane compare results/quick results/tishby2017 --layers hidden1,output \\
              --zoom --size 1200 -o plots/q-t
        """
    )

    @Argument(help: "Result folders (searched for analysis.h5); at least two variants in all.")
    var paths: [String]

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Folder of the comparison (default: plots/compare/<experiments>, e.g. plots/compare/quick-vs-tishby2017).", valueName: "folder"))
    var output: String?

    @Option(help: ArgumentHelp("Layers whose paths are overlaid (comma-separated); default: every layer the variants share.", valueName: "names"))
    var layers: String?

    @OptionGroup(title: "Figures") var figure: FigureOptions

    @Flag(help: "Print what was written as JSON.")
    var json = false

    @OptionGroup var options: OutputOptions

    struct JSON: Encodable {
        var folder: String
        var variants: [String]
        var files: [String]
        var notes: [String]
    }

    func run() throws {
        let folders = try PlotCommand.analysedFolders(paths)
        let wanted = layers.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        let comparison = try Comparison(folders: folders, estimator: figure.estimator, layers: wanted, style: try figure.style())
        let outcome = try comparison.write(to: output ?? ("plots/compare" as NSString).appendingPathComponent(comparison.defaultFolderName))
        if json {
            try writeJSON(JSON(folder: outcome.folder, variants: comparison.variants.map(\.name), files: outcome.files, notes: outcome.notes))
        } else if !options.quiet {
            print(Self.line(outcome, variants: comparison.variants.count))
        }
        for note in outcome.notes { options.logger().notice("\(note)") }
    }

    /// "compared 2 variants  DIR/  planes.svg, …, compare.html".
    static func line(_ outcome: Comparison.Outcome, variants: Int) -> String {
        let names = outcome.files.filter { $0.hasSuffix(".svg") || $0.hasSuffix(".csv") || $0.hasSuffix(".html") }.map { ($0 as NSString).lastPathComponent }
        return "compared \(variants) variants  \(outcome.folder)/  \(names.joined(separator: ", "))"
    }
}
