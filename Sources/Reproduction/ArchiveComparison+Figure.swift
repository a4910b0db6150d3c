import Plotting

extension ArchiveComparison {
    /// Our mean information plane beside the archive's, on the common logged epochs.
    package func figure() -> SVG {
        let planes = [PlaneData(title: "ours: \(ourRuns) runs", epochs: epochs, ixt: ours.ixt, ity: ours.ity, layerNames: layerNames),
                      PlaneData(title: "archive: \(archiveRuns) runs (2017)", epochs: epochs, ixt: archive.ixt, ity: archive.ity,
                                layerNames: layerNames)]
        return Figures.informationPlane(planes, hx: 12, hy: 0.999157, title: "Archived 2017 setting: binning with 50 edges, mean over runs")
    }
}
