import ArgumentParser

/// The `infoplane` command: a thin shell over the lab's modules.
///
/// Exit codes: 0 success, 1 runtime failure, 2 usage or input error (with a one-line
/// message on stderr naming the file, key or argument at fault).
struct Infoplane: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "infoplane",
        abstract: "Train networks, record every layer, measure the information plane, explain the models.",
        discussion: """
        infoplane trains MLPs and CNNs, records every layer's activations to HDF5 run files, \
        analyses them (information plane, gradient SNR), and explains the trained models \
        (attribution maps, feature visualisation).

        Examples:
          infoplane run experiments/quick.yaml       # train, analyse and plot
          infoplane train experiments/quick.yaml     # train and record every run
          infoplane analyze results/quick            # I(X;T), I(T;Y) per layer, epoch
          infoplane plot results/quick               # figures in plots/quick/
          infoplane inspect results/quick/run-1.h5   # what a run file holds
          infoplane explain results/fashion-cnn/run-1.h5  # LRP, IG, Grad-CAM report
          infoplane visualize tsne results/quick/run-1.h5 --layer hidden5
          infoplane environment                      # libraries, BLAS, threads
        """,
        version: version,
        subcommands: [RunCommand.self, TrainCommand.self, RecordCommand.self, AnalyzeCommand.self, PlotCommand.self, CompareCommand.self, ServeCommand.self, ReproduceCommand.self, InspectCommand.self, CompactCommand.self, ExportCommand.self, ExplainCommand.self, VisualizeCommand.self, EnvironmentCommand.self]
    )
}
