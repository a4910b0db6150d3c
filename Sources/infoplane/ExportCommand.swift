import Analysis
import ArgumentParser
import Foundation
import Recording

/// `infoplane export`: run and analysis data for tools that do not speak the lab's
/// layouts: one layer's activations, metrics, gradient statistics, and one tidy table
/// over whole experiments and their sweeps. Recipes: docs/external-tools.md.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export activations, metrics, gradient statistics, or an experiment-level table as CSV, .npy, HDF5/netCDF or MATLAB .mat.",
        discussion: """
        The format follows the output's extension (.csv, .npy, .h5/.nc, .mat) or --format; an \
        unknown extension is an error. -o - writes CSV to standard output. Without a \
        subcommand, exports activations.

        Examples:
          infoplane export results/quick/run-1.h5 --layer hidden5 --epoch last \\
              -o h5.npy
          infoplane export activations results/quick/run-1.h5 --layer hidden5 \\
              --epoch all -o h5.nc
          infoplane export metrics results/quick/run-1.h5 -o -
          infoplane export table results/quick -o quick.csv
        """,
        subcommands: [ExportActivations.self, ExportMetrics.self, ExportGradients.self, ExportTable.self],
        defaultSubcommand: ExportActivations.self
    )
}

/// Where an export goes and in which format.
struct ExportOutput: ParsableArguments {
    @Option(name: [.short, .long], help: ArgumentHelp("Output file (.csv, .npy, .h5/.nc, .mat), or - for CSV on standard output.", valueName: "file"))
    var output: String

    @Option(help: ArgumentHelp("csv, npy, hdf5 (netCDF-4 compatible) or mat (MATLAB v7.3); default: from the extension.", valueName: "format"))
    var format: String?

    @Flag(help: "Replace an existing output file.")
    var force = false

    @Flag(help: "Print what was written as JSON: the file, its format, what it holds and its shape.")
    var json = false

    /// `export --json`: one written file.
    struct JSON: Encodable {
        var output: String
        var format: String
        /// activations, metrics, gradient statistics or table.
        var contents: String
        /// (epochs, samples, units) for activations, (rows, columns) for tables.
        var shape: [Int]
        var columns: [String]?
        var layer: String?
        var epochs: [Int]?
    }

    /// The format, checked, and the output checked against the inputs.
    func resolve(inputs: [String], allowed: [ExportFormat]) throws -> ExportFormat {
        let chosen: ExportFormat
        if let format {
            guard let parsed = ExportFormat(argument: format) else {
                throw ValidationError("--format \(format): expected csv, npy, hdf5 or mat")
            }
            chosen = parsed
        } else {
            guard let parsed = ExportFormat(path: output) else {
                throw ValidationError("-o \(output): unknown extension; use .csv, .npy, .h5, .nc or .mat, or say --format")
            }
            chosen = parsed
        }
        guard allowed.contains(chosen) else {
            throw ValidationError("this export has no \(chosen.rawValue) form (it writes \(allowed.map(\.rawValue).joined(separator: ", ")))")
        }
        if json && output == "-" { throw ValidationError("--json and -o - would both write to standard output; name a file") }
        if output != "-" { try OutputFile.check(output, inputs: inputs, force: force) }
        return chosen
    }

    /// A table of one run file (`export metrics`, `export gradients`): checked, built,
    /// written, reported.
    func exportTable(of path: String, what: String, quiet: Bool, _ columns: (RunFile) throws -> [Table.Column]) throws {
        let format = try resolve(inputs: [path], allowed: [.csv, .hdf5, .mat])
        let run = try RunFile.open(path)
        let table = Table(columns: try columns(run), attributes: ["title": "\(what) of \(path)", "experiment": run.experiment])
        try table.write(to: output, format: format)
        try report("exported \(output)  \(table.rowCount) rows of \(what)", quiet: quiet, json: tableJSON(table, format: format, contents: what))
    }

    func tableJSON(_ table: Table, format: ExportFormat, contents: String) -> JSON {
        JSON(output: output, format: format.rawValue, contents: contents, shape: [table.rowCount, table.columns.count], columns: table.columns.map(\.name))
    }

    /// Says what was written (on stderr when the data went to stdout), or prints it as JSON.
    func report(_ line: String, quiet: Bool, json value: JSON) throws {
        if json { return try writeJSON(value) }
        guard !quiet else { return }
        if output == "-" { writeError("infoplane: \(line)") } else { print(line) }
    }
}

/// `--epoch`: a logged epoch, `last`, or `all`.
enum ExportEpochs: ExpressibleByArgument {
    case one(EpochChoice)
    case all

    init?(argument: String) {
        if argument == "all" { self = .all; return }
        guard let choice = EpochChoice(argument: argument) else { return nil }
        self = .one(choice)
    }
}
