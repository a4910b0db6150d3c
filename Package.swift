// swift-tools-version:6.1
//
// infoplane — a Swift lab for the information plane and explanations of neural networks.
// Module map and dependency rules: README.md ("Architecture"). Data flows one way:
// Datasets → Networks → Recording → Information → Plotting / reports.
import PackageDescription

let package = Package(
    name: "infoplane",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "infoplane", targets: ["infoplane"]),
        .executable(name: "infoplane-bench", targets: ["infoplane-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
    ],
    targets: [
        // C system libraries, found through pkg-config (Debian: libhdf5-dev, libopenblas-dev, zlib1g-dev).
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        // The crash and hang guard for damaged HDF5 files (installed by the CLI only).
        .target(name: "CHDF5Guard"),
        .target(name: "HDF5", dependencies: ["CHDF5", "CHDF5Guard"]),
        .target(name: "Tensor", dependencies: [
            "CBLAS",
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .target(name: "Datasets", dependencies: ["CZlib", "HDF5", "Tensor"]),
        .target(name: "Networks", dependencies: [
            "Tensor",
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        // `make bench`: timings of the engine next to the PyTorch reference (benchmarks/).
        .target(name: "Recording", dependencies: ["HDF5", "Networks", "Tensor"]),
        .target(name: "Information", dependencies: [
            "HDF5", "Recording", "Tensor",
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .target(name: "Explanations", dependencies: [
            "Networks", "Tensor",
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .target(name: "Plotting", dependencies: ["CZlib"]),
        .target(name: "Lab", dependencies: [
            "Datasets", "Explanations", "HDF5", "Information", "Plotting", "Networks", "Recording", "Tensor",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "infoplane-bench", dependencies: ["Datasets", "Information", "Lab", "Networks", "Recording", "Tensor"],
                          path: "benchmarks/swift"),
        .executableTarget(name: "infoplane", dependencies: [
            "HDF5", "Tensor", "Datasets", "Networks", "Recording", "Information", "Explanations", "Lab",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Helpers shared by the test targets (paths, subprocesses, h5py, stderr capture).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5", "CHDF5", "TestSupport"]),
        .testTarget(name: "TensorTests", dependencies: [
            "Tensor", "TestSupport", .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "HDF5", "Tensor", "TestSupport"]),
        .testTarget(name: "NetworksTests", dependencies: [
            "Networks", "Datasets", "Tensor", "TestSupport",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "infoplaneTests", dependencies: ["infoplane", "TestSupport"]),
        .testTarget(name: "InformationTests", dependencies: ["Information", "Datasets", "Networks", "Tensor", "TestSupport"]),
        .testTarget(name: "ExplanationsTests", dependencies: [
            "Explanations", "Datasets", "Networks", "Tensor", "TestSupport",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting", "TestSupport"]),
        .testTarget(name: "LabTests", dependencies: ["Lab", "Information", "Networks", "Recording", "HDF5", "TestSupport", "infoplane"]),
        .testTarget(name: "RecordingTests", dependencies: [
            "Recording", "Networks", "Datasets", "Tensor", "HDF5", "TestSupport",
        ]),
    ]
)
