// swift-tools-version:6.1
//
// infoplane — a Swift lab for the information plane and explanations of neural networks.
// Module map and dependency rules: README.md ("Architecture"). Data flows one way:
// Datasets → Networks → Recording → (run file) → Analysis → Reports; Information holds
// the pure estimators; Attribution, FeatureVisualization and Embedding read models and
// activations; Experiments turns configs into runs; the CLI only wires them together.
import PackageDescription

let package = Package(
    name: "infoplane",
    products: [
        .executable(name: "infoplane", targets: ["infoplane"]),
        .executable(name: "infoplane-bench", targets: ["infoplane-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),  // Relaxed
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),  // ONNX model files
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),  // `infoplane serve` (small, no dependencies)
    ],
    targets: [
        // C system libraries, found through pkg-config (Debian: libhdf5-dev, libopenblas-dev, zlib1g-dev, libssl-dev).
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        // SHA-256 digests of run and model files from OpenSSL's libcrypto (Debian's
        // maintained build, nothing to compile: swift-crypto's BoringSSL took minutes of
        // every build on two cores).
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),

        // The crash and hang guard for damaged HDF5 files (installed by the CLI only).
        .target(name: "CHDF5Guard"),
        // C kernels where the processor's wider vectors pay (chosen at run time).
        .target(name: "CKernels"),
        // libdeflate's inflater when the system has it (opened at run time; zlib otherwise).
        .target(name: "CDeflate"),
        // stdout's buffering and the SIGINT/SIGTERM flag of training (C globals).
        .target(name: "CProcess"),
        // The lab's error protocol: what failed, where, whose failure (the exit code), the cause.
        .target(name: "Diagnostics"),
        // Files written whole or not at all, opened without following links; errno in words.
        .target(name: "SafeFiles", dependencies: ["Diagnostics", "COpenSSL"]),
        .target(name: "HDF5", dependencies: ["Diagnostics", "CHDF5", "CHDF5Guard"]),
        .target(name: "Tensor", dependencies: [
            "CBLAS", "CKernels",
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .target(name: "Datasets", dependencies: ["Diagnostics", "CZlib", "HDF5", "Tensor"]),
        .target(name: "Networks", dependencies: [
            "Diagnostics", "CKernels", "Tensor",
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        // Models of other frameworks (ONNX, Keras HDF5) read into the lab's layers.
        .target(name: "ModelImport", dependencies: [
            "Diagnostics", "Datasets", "HDF5", "Networks", "SafeFiles", "Tensor",
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ]),
        .target(name: "Recording", dependencies: ["Diagnostics", "CDeflate", "CZlib", "HDF5", "Networks", "SafeFiles", "Tensor"]),
        // The pure estimators: no files, no run format.
        .target(name: "Information", dependencies: [
            "Diagnostics", "CKernels", "Tensor",
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .target(name: "Attribution", dependencies: [
            "Diagnostics", "Networks", "Tensor",
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .target(name: "FeatureVisualization", dependencies: [
            "Diagnostics", "Networks", "Tensor",
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .target(name: "Embedding", dependencies: [
            "Diagnostics", "Tensor",
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .target(name: "Plotting", dependencies: ["CZlib", "SafeFiles"]),
        // Progress of long jobs on standard error (a bar on a terminal, plain lines in a log).
        .target(name: "Console"),
        // The configuration schema, its reader and errors: below Experiments and Analysis.
        .target(name: "Configuration", dependencies: [
            "Diagnostics", "Attribution", "Datasets", "Information", "ModelImport", "Networks", "Recording",
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "Experiments", dependencies: [
            "Diagnostics", "Configuration", "Console", "CProcess", "Datasets", "ModelImport", "Networks", "Recording", "SafeFiles", "Tensor",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Analysis", dependencies: [
            "Diagnostics", "Configuration", "Console", "HDF5", "Information", "Recording", "SafeFiles", "Tensor",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Reports", dependencies: [
            "Analysis", "Attribution", "Configuration", "Diagnostics", "Embedding", "Experiments", "FeatureVisualization", "HDF5",
            "Information", "Networks", "Plotting", "Recording", "SafeFiles", "Tensor",
            .product(name: "Mustache", package: "swift-mustache"),
        ]),
        .target(name: "Reproduction", dependencies: [
            "Analysis", "Attribution", "Configuration", "HDF5", "Information", "Plotting", "Tensor",
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        // `infoplane serve`: the results browser over HTTP (read-only, confined to its root).
        .target(name: "Dashboard", dependencies: [
            "Analysis", "Plotting", "Recording", "Reports",
            .product(name: "FlyingFox", package: "FlyingFox"),
            .product(name: "FlyingSocks", package: "FlyingFox"),
        ]),
        // `make bench`: timings of the engine next to the PyTorch reference (benchmarks/).
        .executableTarget(name: "infoplane-bench", dependencies: [
            "Analysis", "Attribution", "Datasets", "Embedding", "Experiments", "Information", "Networks", "Recording", "Tensor",
        ], path: "benchmarks/swift"),
        .executableTarget(name: "infoplane", dependencies: [
            "Diagnostics", "Analysis", "Attribution", "Configuration", "Console", "CProcess", "Dashboard", "Datasets", "Embedding", "Experiments", "FeatureVisualization", "HDF5", "ModelImport",
            "Information", "Networks", "Plotting", "Recording", "Reports", "Reproduction", "SafeFiles", "Tensor",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Yams", package: "Yams"),
        ]),

        // Helpers shared by the test targets (paths, subprocesses, h5py, stderr capture).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5", "TestSupport", "infoplane"]),
        .testTarget(name: "TensorTests", dependencies: [
            "Tensor", .product(name: "PropertyBased", package: "swift-property-based"), .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "HDF5", "Tensor", "TestSupport", .product(name: "RealModule", package: "swift-numerics")]),
        .testTarget(name: "NetworksTests", dependencies: [
            "CKernels", "Networks", "Datasets", "Tensor", "TestSupport",
            .product(name: "PropertyBased", package: "swift-property-based"), .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .testTarget(name: "infoplaneTests", dependencies: ["infoplane", "TestSupport"]),
        .testTarget(name: "InformationTests", dependencies: [
            "CKernels", "Information", "Datasets", "Networks", "Tensor", "TestSupport", .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .testTarget(name: "ExplanationsTests", dependencies: [
            "Attribution", "Embedding", "FeatureVisualization", "Datasets", "Networks", "Tensor", "TestSupport", .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting", "TestSupport"]),
        // In process: the configuration schema and its parsing (no binary, no Python).
        .testTarget(name: "ConfigurationTests", dependencies: [
            "Configuration", "Networks", .product(name: "Yams", package: "Yams"),
        ]),
        .testTarget(name: "SafeFilesTests", dependencies: ["SafeFiles", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: [
            "Analysis", "Attribution", "Configuration", "Console", "Embedding", "Experiments", "HDF5", "Information", "ModelImport", "Networks", "Recording", "Reports", "Reproduction",
            "Tensor", "TestSupport", "infoplane",  // built first: the tests run the command
            .product(name: "Yams", package: "Yams"),
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),  // crafted ONNX models
            .product(name: "RealModule", package: "swift-numerics"),
        ],
        // Unoptimised: these tests mostly run the command and read its files, and the
        // library code they call in process is optimised in its own modules; -Onone
        // compiles this, the largest test target, in a fraction of the time.
        swiftSettings: [.unsafeFlags(["-Onone"])]),
        .testTarget(name: "RecordingTests", dependencies: [
            "Recording", "Networks", "Datasets", "Tensor", "HDF5", "CZlib", "TestSupport", .product(name: "RealModule", package: "swift-numerics"),
        ]),
    ]
)
