import Analysis
import ArgumentParser
import Experiments
import Foundation
import HDF5
import Recording

/// `infoplane inspect FILES…`: a readable summary of run and analysis files, or JSON.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarise run files and analysis files: config, layers, shapes, logged epochs, estimators, size on disk.",
        discussion: """
        Opens complete runs, running ones and killed ones (as an HDF5 single-writer/multiple-reader \
        reader). Only committed logged epochs are counted. A folder stands for its run-*.h5 and \
        analysis.h5 files. Files of another kind are named as such (exit 2).

        Examples:
          infoplane inspect results/quick/run-1.h5
          infoplane inspect results/quick
          infoplane inspect results/quick/run-1.h5 --json | python3 -m json.tool
        """
    )

    @Argument(help: "Run files, analysis files, or folders holding them.")
    var paths: [String]

    @Flag(help: "Print JSON: one object for one file, an array for several.")
    var json = false

    @Flag(help: "Also print each run's experiment configuration.")
    var config = false

    @Flag(name: .shortAndLong, help: "Print nothing: the exit status says whether every file is a readable run or analysis file (0) or not (2).")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Print everything: each run's configuration too (as --config).")
    var verbose = false

    func validate() throws {
        if quiet && (verbose || json) { throw ValidationError("--quiet excludes \(verbose ? "--verbose" : "--json")") }
    }

    /// One inspected file.
    enum Summary: Encodable {
        case run(RunSummary)
        case analysis(AnalysisSummary)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .run(let summary): try summary.encode(to: encoder)
            case .analysis(let summary): try summary.encode(to: encoder)
            }
        }
    }

    func run() throws {
        var files: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw InputError("\(path): no such file or folder") }
            if isFolder.boolValue {
                let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
                    .filter { ($0.hasPrefix("run-") && $0.hasSuffix(".h5")) || $0 == "analysis.h5" }.sorted()
                guard !names.isEmpty else { throw InputError("\(path): a folder without run-*.h5 or analysis.h5") }
                files += names.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        let summaries = try files.map(Self.summary)
        if quiet { return }
        if json {
            if summaries.count == 1 && paths.count == 1 && files == paths { try writeJSON(summaries[0]) } else { try writeJSON(summaries) }
            return
        }
        let text = summaries.map { summary -> String in
            switch summary {
            case .run(let s):
                let stored = try? ExperimentLoader.parse(s.config, file: s.path).first?.config.model.arithmetic
                return RunSummaryText.render(s, includeConfig: config || verbose, arithmetic: stored.map(\.rawValue))
            case .analysis(let s): return AnalysisSummaryText.render(s)
            }
        }.joined(separator: "\n\n")
        try writeStandardOutput(text + "\n")
    }

    /// The file's kind from its `format` attribute, and its summary.
    static func summary(_ path: String) throws -> Summary {
        do {
            if AnalysisFile.isAnalysisFile(path) { return .analysis(try AnalysisFile.summary(path)) }
            if let file = try? H5File.open(path), file.hasAttribute("format"),
               let format = try? file.stringAttribute("format"), format != RunFileFormat.name {
                throw InputError("\(path): an HDF5 file of format \"\(format)\", neither an infoplane run file nor an analysis file")
            }
            return .run(try RunFile.open(path).summary())
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(wrapping: error)
        }
    }
}

/// The human-readable form of an ``AnalysisSummary``.
enum AnalysisSummaryText {
    static func render(_ s: AnalysisSummary) -> String {
        var lines = ["\(s.path)"]
        lines.append("  experiment   \(s.experiment)\(s.variant.isEmpty ? "" : " (\(s.variant))")   (analysis format \(s.formatVersion))")
        lines.append("  modified     \(s.modified) (created \(s.created))")
        lines.append("  epochs       \(s.epochCount) logged epochs\(s.firstEpoch.map { ", \($0)" } ?? "")\(s.lastEpoch.map { " … \($0)" } ?? "")")
        lines.append("  layers       \(s.layers.joined(separator: ", "))")
        lines.append("  runs         \(s.runs.count)")
        for run in s.runs {
            let digest = run.digest.isEmpty ? "(no digest: format 1)" : String(run.digest.prefix(19)) + "…"
            lines.append("    seed \(String(run.seed).padding(toLength: 6, withPad: " ", startingAt: 0)) \(run.path)  \(digest)")
        }
        lines.append("  estimators   \(s.estimators.isEmpty ? "none (gradient SNR only)" : "")")
        for estimator in s.estimators {
            lines.append("    \(estimator.label.padding(toLength: 28, withPad: " ", startingAt: 0)) DPI violations \(estimator.dpiViolations)")
            lines.append("      \(estimator.description)")
        }
        lines.append(String(format: "  size         %.1f KiB", Double(s.sizeBytes) / 1024))
        return lines.joined(separator: "\n")
    }
}
