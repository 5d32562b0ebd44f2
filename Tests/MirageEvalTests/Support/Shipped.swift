import Foundation
import MirageData
import MirageEval
import MirageTensor

/// The shipped judge and MNIST, loaded once for all tests.
enum Shipped {
    static let judge: MNISTJudge = {
        do { return try MNISTJudge.load() } catch { fatalError("\(error)") }
    }()
    static let mnistTest: ImageDataset = {
        do { return try ImageDataset.mnist(split: .test) } catch { fatalError("\(error)") }
    }()
    static let mnistTrain: ImageDataset = {
        do { return try ImageDataset.mnist(split: .train) } catch { fatalError("\(error)") }
    }()
    static let testImages: Tensor = mnistTest.tensor(indices: Array(0..<mnistTest.count))
    static let testOutputs: (features: Tensor, probabilities: Tensor) = judge.evaluate(testImages)
}

/// A fresh temporary folder, removed when the value is dropped.
final class TemporaryFolder {
    let path: String

    init() {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("mirage-eval-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The path of `name` inside the folder.
    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
}
