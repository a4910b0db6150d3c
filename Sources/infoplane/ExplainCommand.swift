import ArgumentParser
import Attribution
import Configuration
import Experiments
import Foundation
import Networks
import Recording
import Reports

/// `infoplane explain RUN.h5`: attribution maps of a trained model, checked and scored,
/// as an HTML report.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain a trained model's decisions: LRP / deep Taylor, gradients, Integrated Gradients, Grad-CAM, occlusion; an HTML report.",
        discussion: """
        Rebuilds the model of RUN.h5 at a logged epoch (its recorded weights, or the newest \
        checkpoint when the run recorded none), or imports a model file (ONNX, .keras, Keras \
        HDF5) given with --data, and explains the chosen samples with each \
        method, and writes <plots>/<experiment>[/<variant>]/run-<seed>/epoch-<k>/explain/index.html (self-contained) and \
        explanations.h5 (the maps, for h5py). The report has every map side by side, Σ map \
        against the explained logit, per-layer conservation of the LRP methods and why it \
        fails where it does, faithfulness (AOPC, deletion and insertion against random \
        orders) and the cascading-randomisation sanity check.

        Methods: \(AttributionCatalog.names.joined(separator: ", ")), gradcam:<layer>.

        Examples:
          infoplane explain results/fashion-cnn/run-1.h5
          infoplane explain results/quick/run-1.h5 --epoch 0 --inputs 0,1,2,3
          infoplane explain results/fashion-cnn/run-1.h5 \\
              --methods lrp:epsilon_plus,lrp:zplus --bias captum --no-sanity
          infoplane explain results/quick/run-1.h5 --json | python3 -m json.tool
          infoplane explain results/fashion-cnn/run-1.h5 \\
              --data examples/byom/fashion_test.npz --inputs 600,601
          infoplane explain examples/byom/var_u_mlp.onnx \\
              --data examples/byom/var_u.npz --inputs 0-9 --no-sanity
        """
    )

    @OptionGroup var target: RunEpochOptions

    @Option(help: "Rows of the recorded samples (or of --data) to explain: 0,5,7 or 0-99 (default: --count test samples of different classes).")
    var inputs: String?

    @Option(help: ArgumentHelp("Explain samples of this file instead of the recorded ones: .npz, .npy (labels in --data-labels FILE.npy), .h5/.hdf5 or .mat, in the model's input shape; the report goes to explain-<file name>/.", valueName: "file"))
    var data: String?

    @Option(help: ArgumentHelp("The inputs' name in --data (default: x; F for .mat).", valueName: "name"))
    var dataInputs: String?

    @Option(help: ArgumentHelp("The labels' name in --data (default: y), or for .npy inputs the labels' .npy file.", valueName: "name|file"))
    var dataLabels: String?

    @Option(help: ArgumentHelp("Axis order of --data's 4-D images: nchw (PyTorch) or nhwc; default: the one that fits the model.", valueName: "nchw|nhwc"))
    var layout: String?

    @Option(help: "How many samples when --inputs is not given.")
    var count = ExplanationOptions().count

    @Option(help: ArgumentHelp("Explain the first n test samples of every class.", valueName: "n"))
    var perClass: Int?

    @Option(help: ArgumentHelp("Explain the first n test samples the model gets wrong.", valueName: "n"))
    var misclassified: Int?

    @Option(help: "Methods, comma-separated (default: a set suited to the model).")
    var methods: String?

    @Flag(help: "Explain each sample's label instead of the predicted class.")
    var labels = false

    @Option(help: "Input bounds for z^B as low,high; auto (the recorded inputs' range) or none.")
    var bounds = "auto"

    @Option(help: "Bias convention of the LRP rules: zennit, captum, innvestigate or zero.")
    var bias = "zennit"

    @Option(help: "Faithfulness: region side for images (1 = pixel flipping).")
    var region = ExplanationOptions.defaultFaithfulness.region

    @Option(help: "Faithfulness: perturbation steps.")
    var steps = ExplanationOptions.defaultFaithfulness.steps

    @Option(help: "Faithfulness: what AOPC puts in place of a region: baseline (the lower input bound, 0 for pixels) or noise (uniform over the inputs' range, Samek et al.'s choice).")
    var replacement = ExplanationOptions.defaultFaithfulness.replacement.rawValue

    @Flag(help: "Skip the faithfulness scores.")
    var noFaithfulness = false

    @Flag(help: "Skip the cascading-randomisation sanity check.")
    var noSanity = false

    @Flag(help: "Skip the feature-visualisation section (filters, class maximisation, occlusion).")
    var noFeatures = false

    @Option(help: "Seed of SmoothGrad's noise, the perturbation noise and the randomisation.")
    var seed: UInt64 = 0

    @Option(help: "Folder for reports (the report goes to <plots>/<experiment>[/<variant>]/run-<seed>/epoch-<k>/explain/).")
    var plots = "plots"

    @Flag(help: "Print the outcome as JSON (snake_case keys: every method's per-sample scores) instead of text.")
    var json = false

    @OptionGroup var output: OutputOptions

    func run() throws {
        let options = try explanationOptions()
        // A model file is recorded first (as `record` does), in a folder removed afterwards.
        let model = Self.isModelFile(target.path) ? try recordedModel(target.path) : nil
        defer { model.map { try? FileManager.default.removeItem(at: $0.folder) } }
        let path = model?.run ?? target.path, wanted = model == nil ? target.epoch.number : 0
        let start = Date()
        let study: ExplanationStudy
        do {
            study = try ExplanationStudy.run(path, epoch: wanted, options: options)
        } catch let error as ExplanationError {
            throw InputError("\(path): \(error)")  // name the run; other errors name their file
        }
        // A report on other samples goes beside the recorded samples' one, never over it.
        let tool = data.map { "explain-" + PathComponent.sanitized(URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent) } ?? "explain"
        let folder = OutputPlace.folder(plots: plots, runPath: path, experiment: study.experiment, epoch: study.epoch, tool: tool)
        let files = try ExplanationReport.write(study, to: folder)
        if json {
            try writeJSON(JSON(study, seconds: Date().timeIntervalSince(start), report: files))
        } else if !output.quiet {
            print("explained \(study.rows.count) inputs of \(study.experiment) at epoch \(study.epoch) with \(study.methods.count) methods in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
            for m in study.methods {
                var line = "  " + m.name.padding(toLength: 28, withPad: " ", startingAt: 0) + (m.medianConservation.isFinite ? String(format: "Σ/logit %6.3f", m.medianConservation) : "Σ/logit      –")
                if let f = m.faithfulness {
                    let mean = ExplanationReport.mean
                    line += String(format: "   AOPC %.3f (random %.3f)   deletion %.3f (%.3f)", mean(f.aopc), mean(f.aopcRandom), mean(f.deletion), mean(f.deletionRandom))
                }
                print(line)
            }
            print("report: \(files.joined(separator: ", "))")
        }
    }
}
