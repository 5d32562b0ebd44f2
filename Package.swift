// swift-tools-version:6.0
import PackageDescription

// No unsafe flags anywhere: a package that depends on Mirage by version must be able to build it.
// Targets follow ../shared/DESIGN.md: each layer imports only those below it.
let package = Package(
    name: "Mirage",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "MirageTensor", targets: ["MirageTensor"]),
        .library(name: "MirageNN", targets: ["MirageNN"]),
        .library(name: "MirageData", targets: ["MirageData"]),
        .library(name: "MirageEval", targets: ["MirageEval"]),
        .library(name: "MirageModels", targets: ["MirageModels"]),
        .executable(name: "mirage", targets: ["mirage"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation` builds the DocC catalogs (Sources/*/Documentation.docc).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CDNNL",
            path: "Sources/CDNNL",
            providers: [.apt(["libdnnl-dev"])]
        ),
        // The vector loops (element-wise functions, reductions, single-channel convolution rows),
        // compiled per instruction set with target attributes and chosen at run time, so that
        // no target CPU flag is needed and the binary runs on any x86-64 or ARM64 machine.
        .target(
            name: "CMirageKernels",
            path: "Sources/CMirageKernels"
        ),
        .target(
            name: "MirageTensor",
            dependencies: ["CDNNL", "CMirageKernels"]
        ),
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CPNG",
            path: "Sources/CPNG",
            providers: [.apt(["libpng-dev"])]
        ),
        .target(
            name: "MirageNN",
            dependencies: ["MirageTensor"]
        ),
        // Open MPI for data-parallel training; only the `mirage` command links it, so that a
        // package depending on the libraries above does not need MPI.
        .systemLibrary(
            name: "CMPI",
            path: "Sources/CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev"])]
        ),
        .target(
            name: "MirageMPI",
            dependencies: ["CMPI", "MirageNN"]
        ),
        .target(
            name: "MirageData",
            dependencies: ["MirageTensor", "CZlib", "CPNG"]
        ),
        .target(
            name: "MirageEval",
            dependencies: ["MirageTensor", "MirageNN", "MirageData"]
        ),
        .target(
            name: "MirageModels",
            dependencies: [
                "MirageTensor", "MirageNN", "MirageData", "MirageEval",
                // Each model declares its own command-line options next to its code.
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The `mirage` commands as a library, so that tests run them in process on models they
        // register (the executable is only its entry point).
        .target(
            name: "MirageCLI",
            dependencies: [
                "CDNNL",
                "MirageTensor",
                "MirageNN",
                "MirageData",
                "MirageEval",
                "MirageModels",
                "MirageMPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "mirage",
            dependencies: ["MirageCLI"]
        ),
        // Fuzz targets for the file readers: a corpus replayer in a plain build, libFuzzer targets
        // when built by scripts/fuzz (-sanitize=fuzzer,address -DFUZZING).
        .executableTarget(
            name: "mirage-fuzz",
            dependencies: ["MirageTensor", "MirageNN", "MirageData", "MirageModels"],
            path: "Sources/mirage-fuzz"
        ),
        .target(
            name: "MirageTestSupport",
            dependencies: ["MirageTensor"],
            path: "Tests/MirageTestSupport"
        ),
        .testTarget(
            name: "MirageTensorTests",
            dependencies: ["MirageTensor", "CMirageKernels", "MirageTestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "MirageNNTests",
            dependencies: ["MirageNN", "MirageData", "MirageTestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "MirageEvalTests",
            dependencies: ["MirageEval", "MirageTestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "MirageModelsTests",
            dependencies: ["MirageModels", "MirageEval", "MirageCLI", "MirageTestSupport",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "MirageCLITests",
            dependencies: ["MirageData", "MirageNN"],
            exclude: ["Snapshots"]
        ),
        .testTarget(
            name: "MirageDataTests",
            dependencies: ["MirageData", "MirageTestSupport"],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v5]
)
