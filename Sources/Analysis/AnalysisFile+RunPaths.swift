import Foundation

extension AnalysisFile {
    /// A stored run path resolved against the analysis file's folder, only when it stays
    /// inside that folder's tree: relative, without `..`, and never empty or holding a
    /// NUL. Anything else (`../other/run-1.h5`, `/etc/passwd`) is an ``AnalysisError``: an
    /// analysis file never makes `plot`, `export` or `--merge` read outside its folder.
    ///
    /// Version-1 files stored the paths as given on the command line (relative to where
    /// `analyze` ran); they are accepted when, read that way, they still lie inside the
    /// analysis file's folder tree.
    static func confinedRunPath(_ stored: String, folder: String, file: String, version: Int32) throws(AnalysisError) -> String {
        func refuse() -> AnalysisError {
            AnalysisError(file: file, "names the run file '\(stored)', outside the analysis file's folder; an analysis reads runs only in its own folder and below (analyse again with the analysis file beside or above the runs)")
        }
        guard !stored.isEmpty, !stored.contains("\0") else { throw refuse() }
        if version == 1 {
            let base = URL(fileURLWithPath: folder.isEmpty ? "." : folder).standardizedFileURL.pathComponents
            let target = URL(fileURLWithPath: stored).standardizedFileURL.pathComponents
            guard target.count > base.count, Array(target.prefix(base.count)) == base else { throw refuse() }
            return stored
        }
        let components = stored.split(separator: "/", omittingEmptySubsequences: true)
        guard !stored.hasPrefix("/"), !components.isEmpty, !components.contains(where: { $0 == ".." }) else { throw refuse() }
        return folder.isEmpty ? stored : (folder as NSString).appendingPathComponent(stored)
    }

    /// Every stored path resolved (``confinedRunPath(_:folder:file:version:)``), and the
    /// first refusal: the contents stay readable (`inspect` shows them), the runs are not
    /// opened (``Contents/runFiles()``).
    static func confinedRunPaths(_ stored: [String], folder: String, file: String, version: Int32) -> ([String], AnalysisError?) {
        var refusal: AnalysisError?
        let paths = stored.map { path -> String in
            do throws(AnalysisError) { return try confinedRunPath(path, folder: folder, file: file, version: version) } catch {
                if refusal == nil { refusal = error }
                return path
            }
        }
        return (paths, refusal)
    }

    /// Whether `relative` (as ``ExperimentAnalysis`` stores it) stays inside the analysis
    /// file's folder tree.
    static func isConfined(_ relative: String) -> Bool {
        !relative.isEmpty && !relative.hasPrefix("/") && !relative.split(separator: "/").contains("..")
    }
}
