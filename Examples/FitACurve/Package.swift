// swift-tools-version:6.0
import PackageDescription

// A package that depends on Mirage by version, exactly as any other package would. Replace the
// URL with the repository you take Mirage from; scripts/check_consumer builds this package
// against a tagged clone of the current checkout by setting MIRAGE_URL.
let mirageURL = Context.environment["MIRAGE_URL"] ?? "https://example.invalid/mirage.git"

let package = Package(
    name: "FitACurve",
    dependencies: [
        .package(url: mirageURL, from: "0.1.0"),
    ],
    targets: [
        .executableTarget(
            name: "FitACurve",
            dependencies: [
                .product(name: "MirageTensor", package: "mirage"),
                .product(name: "MirageNN", package: "mirage"),
            ]
        ),
    ]
)
