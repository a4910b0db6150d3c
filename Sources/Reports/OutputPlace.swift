import Foundation
import Recording

/// Where the outputs about one run go, so that runs, epochs and sweep variants never
/// share a folder: `<plots>/<experiment>[/<variant>]/run-<seed>[/epoch-<k>]/<tool>/`.
///
/// The experiment and variant come from the run file's folder (`results/<experiment>/
/// [<variant>/]run-<seed>.h5`), every component through ``PathComponent/sanitized(_:)``:
/// nothing read from a file becomes a path unsanitised.
package enum OutputPlace {
    package static func folder(plots: String, runPath: String, experiment: String, epoch: Int?, tool: String) -> String {
        let runFolder = PathComponent.folder(of: runPath)
        let base = PlotMaker.relativeFolder(runFolder.isEmpty ? "." : runFolder, resultsRoot: "results", experiment: experiment)
        let run = PathComponent.sanitized(((runPath as NSString).lastPathComponent as NSString).deletingPathExtension)
        var parts = [plots, base, run]
        if let epoch { parts.append("epoch-\(epoch)") }
        parts.append(tool)
        return NSString.path(withComponents: parts)
    }
}
