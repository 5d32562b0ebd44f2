import Foundation
import MirageData
import Testing

@Suite struct DatasetLocatorTests {
    let files = ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

    @Test func explicitFolderWinsAndMayHoldTheDatasetFolder() throws {
        let dir = TemporaryFolder()
        dir.write("mnist/t10k-images-idx3-ubyte.gz", [1])
        dir.write("mnist/t10k-labels-idx1-ubyte", [1])
        #expect(try DatasetLocator.locate("mnist", files: files, dataDirectory: dir.path) == dir.file("mnist"))
        #expect(try DatasetLocator.locate("mnist", files: files, dataDirectory: dir.file("mnist")) == dir.file("mnist"))
        #expect(DatasetLocator.path(of: files[0], in: dir.file("mnist")) == dir.file("mnist/t10k-images-idx3-ubyte.gz"))
        #expect(DatasetLocator.path(of: files[1], in: dir.file("mnist")) == dir.file("mnist/t10k-labels-idx1-ubyte"))
    }

    @Test func environmentBeatsTheRepositoryCopy() throws {
        let dir = TemporaryFolder()
        dir.write("mnist/t10k-images-idx3-ubyte.gz", [1])
        dir.write("mnist/t10k-labels-idx1-ubyte.gz", [1])
        let env = [DatasetLocator.environmentVariable: dir.path]
        #expect(try DatasetLocator.locate("mnist", files: files, environment: env) == dir.file("mnist"))
        // Without the variable the search reaches the repository's Data/mnist.
        let found = try DatasetLocator.locate("mnist", files: files, environment: [:])
        #expect(URL(fileURLWithPath: found).standardizedFileURL.path
            == URL(fileURLWithPath: mnistFolder).standardizedFileURL.path)
    }

    @Test func missingDatasetListsTheSearchAndTheFix() {
        let error = #expect(throws: DataError.self) {
            try DatasetLocator.locate("kmnist", files: files, environment: [DatasetLocator.environmentVariable: "/no/such/dir"])
        }
        guard case let .datasetNotFound(name, searched, _)? = error else {
            Issue.record("expected datasetNotFound, got \(String(describing: error))"); return
        }
        #expect(name == "kmnist")
        #expect(searched.first == "/no/such/dir" && searched.contains("/no/such/dir/kmnist"))
        #expect(searched.contains((repositoryRoot as NSString).appendingPathComponent("Data/kmnist")))
        let message = "\(error!)"
        #expect(message.contains("--data-dir") && message.contains("MIRAGE_DATA") && message.contains("Data/kmnist"))
        #expect(throws: DataError.self) { try ImageDataset.kmnist(split: .train, dataDirectory: "/no/such/dir") }
    }
}
