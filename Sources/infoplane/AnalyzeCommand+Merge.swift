import Analysis
import ArgumentParser
import Foundation

extension AnalyzeCommand {
    /// `--merge`: each folder's complete set of shard files into its analysis file.
    func mergeAll() throws {
        var folders: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
                throw InputError("\(path): --merge takes folders holding analysis.shard-*-of-*.h5")
            }
            folders.append(path)
        }
        if let output, folders.count > 1 { throw InputError("-o \(output) names one analysis file, but \(folders.count) folders were given") }
        for folder in folders {
            let groups = ExperimentAnalysis.shardFiles(in: folder)
            guard groups.count == 1, let (count, files) = groups.first else {
                throw InputError(groups.isEmpty ? "\(folder): no analysis.shard-*-of-*.h5 to merge (analyse with --shard i/n first)"
                                                : "\(folder): shard files of several shard counts (\(groups.keys.sorted().map { "of-\($0)" }.joined(separator: ", "))); remove the stale ones")
            }
            // A shard without runs (more shards than runs) writes no file; any other is needed.
            let runs = (try? ExperimentAnalysis.collect([folder]))?[folder] ?? []
            let missing = (0..<count).filter { !files.contains(ExperimentAnalysis.shardFile(folder: folder, index: $0, count: count)) }
                .filter { !ExperimentAnalysis.shard(runs, index: $0, count: count).isEmpty }
            guard missing.isEmpty else {
                throw InputError("\(folder): shards missing: \(missing.map { "analysis.shard-\($0)-of-\(count).h5" }.joined(separator: ", ")) (analyse them with --shard i/\(count))")
            }
            let expected = (0..<count).map { ExperimentAnalysis.shardFile(folder: folder, index: $0, count: count) }.filter(files.contains)
            let target = output ?? (folder as NSString).appendingPathComponent("analysis.h5")
            let outcome = try ExperimentAnalysis(logger: log.logger()).merge(expected, output: target, force: force,
                                                                                csv: csv ? ((target as NSString).deletingPathExtension + ".csv") : nil,
                                                                                tool: "infoplane \(Infoplane.version)")
            AnalysisReport.log(outcome, quiet: log.quiet, logger: log.logger())
        }
    }
}
