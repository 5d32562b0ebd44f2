import ArgumentParser
import MirageData
import MirageModels

/// Options shared by the commands that score a trained run on the test split of its dataset.
struct TestSetOptions: ParsableArguments {
    @Option(help: "Number of test images (from the start of the test split).")
    var count: Int = 10_000

    @Option(help: "Seed of the random draws (binarisation, importance samples, corruption).")
    var seed: UInt64 = 0

    @Option(help: "Folder holding the run's dataset, or holding <dataset>/ (default: the bundled copy or $MIRAGE_DATA).")
    var dataDir: String?

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive, got \(count)") }
    }

    /// The first ``count`` test images of the dataset `run` trained on.
    func images(for run: LoadedRun) throws -> ImageDataset {
        let data = try TrainingData.load(run.dataset, shape: .images, dataDirectory: dataDir)
        guard let test = data.test.primary else { throw ValidationError("\(run.dataset) holds no images") }
        return test.subset(Array(0..<min(count, test.count)))
    }
}
