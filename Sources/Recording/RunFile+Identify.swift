import HDF5

extension RunFile {
    /// Whether `path` is an HDF5 file whose root says it is an infoplane run file (its
    /// `format` attribute), without validating the rest: tells a run from another HDF5
    /// file (a Keras model, a data file) before either is read.
    public static func isRunFile(_ path: String) -> Bool {
        guard let file = try? H5File.open(path, mode: .readOnly), file.hasAttribute("format") else { return false }
        return (try? file.stringAttribute("format")) == RunFileFormat.name
    }
}
