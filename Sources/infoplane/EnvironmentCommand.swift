import ArgumentParser
import HDF5
import Tensor

/// `infoplane environment`: what the numbers of a run depend on.
struct EnvironmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "environment",
        abstract: "Print the versions, BLAS kernel and thread count this build uses.",
        discussion: """
        Example:
          infoplane environment
        """
    )

    func run() throws {
        print("infoplane \(Infoplane.version)")
        print("HDF5 \(HDF5Library.version)")
        print("OpenBLAS core \(BLAS.coreName), \(BLAS.threads) thread(s)")
        print("OpenBLAS config \(BLAS.configuration)")
    }
}
