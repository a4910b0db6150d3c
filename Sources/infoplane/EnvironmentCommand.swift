import ArgumentParser
import Foundation
import HDF5
import Recording
import Tensor

/// `infoplane environment`: what the numbers of a run depend on.
struct EnvironmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "environment",
        abstract: "Print the versions, BLAS kernel and thread count, the inflater of compacted files, and the processors this process may use.",
        discussion: """
        Examples:
          infoplane environment
          infoplane environment --json
        """
    )

    @Flag(help: "Print JSON (snake_case keys).")
    var json = false

    struct Facts: Encodable {
        var infoplane: String
        var hdf5: String
        var openblasCore: String
        var openblasThreads: Int
        var openblasConfig: String
        /// What inflates compacted run files' chunks: `libdeflate` or `zlib`.
        var inflater: String
        var availableWorkers: Int
        var physicalCores: Int
    }

    func run() throws {
        let facts = Facts(infoplane: Infoplane.version, hdf5: HDF5Library.version, openblasCore: BLAS.coreName,
                          openblasThreads: BLAS.threads, openblasConfig: BLAS.configuration,
                          inflater: RunCompaction.Inflater.fastestAvailable,
                          availableWorkers: Parallel.availableWorkers, physicalCores: ProcessInfo.processInfo.activeProcessorCount)
        if json {
            try writeJSON(facts)
            return
        }
        try writeStandardOutput("""
        infoplane \(facts.infoplane)
        HDF5 \(facts.hdf5)
        OpenBLAS core \(facts.openblasCore), \(facts.openblasThreads) thread(s)
        OpenBLAS config \(facts.openblasConfig)
        compacted files inflated by \(facts.inflater)
        processors this process may use: \(facts.availableWorkers) of \(facts.physicalCores)

        """)
    }
}
