import HDF5

extension RunFile {
    /// Whether `path` is an HDF5 file whose root says it is an infoplane run file (its
    /// `format` attribute), without validating the rest: tells a run from another HDF5
    /// file (a Keras model, a data file) before either is read.
    public static func isRunFile(_ path: String) -> Bool {
        guard let file = try? H5File.open(path, mode: .readOnly), file.hasAttribute("format") else { return false }
        return (try? file.stringAttribute("format")) == RunFileFormat.name
    }

    /// The writer of a run recorded outside the lab (the Python package's `tool`,
    /// `infoplane-python 0.2.0 (torch 2.13.0; …)`), nil for the lab's own runs. Such a run
    /// has activations, metrics and gradient statistics but no model the lab can rebuild.
    public var externalWriter: String? {
        guard let tool = try? file.stringAttribute("tool"), tool.hasPrefix("infoplane-python") else { return nil }
        return tool
    }
}
