import ArgumentParser

/// Options shared by the commands that score a trained run on the MNIST test split.
struct TestSetOptions: ParsableArguments {
    @Option(help: "Number of test images (from the start of the test split).")
    var count: Int = 10_000

    @Option(help: "Seed of the random draws (binarisation, importance samples, corruption).")
    var seed: UInt64 = 0

    @Option(help: "Folder holding the mnist/ dataset (default: the bundled copy).")
    var dataDir: String?

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive, got \(count)") }
    }
}
