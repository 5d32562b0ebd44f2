import Foundation
import MirageData

/// A fresh temporary folder for one test, removed when the value is dropped.
final class TemporaryFolder {
    let path: String

    init() {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("mirage-data-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The path of `name` inside the folder.
    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Creates the subfolder `name` and returns its path.
    @discardableResult
    func folder(_ name: String) -> String {
        let p = file(name)
        try! FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }

    /// Writes `bytes` to `name` and returns its path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let p = file(name)
        try! FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        try! Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }
}

/// The repository's root, from this file's path (Tests/MirageDataTests/TestSupport.swift).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

/// The committed fixtures folder.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

/// The bundled MNIST folder.
let mnistFolder = (repositoryRoot as NSString).appendingPathComponent("Data/mnist")

/// MNIST's splits, loaded once for all tests.
enum MNIST {
    static let train: ImageDataset = try! ImageDataset.mnist(split: .train, dataDirectory: mnistFolder)
    static let test: ImageDataset = try! ImageDataset.mnist(split: .test, dataDirectory: mnistFolder)
}

/// A small gray dataset with recognisable pixels: sample i, pixel k holds (i * 7 + k) % 256.
func syntheticDataset(count: Int = 10, channels: Int = 1, height: Int = 4, width: Int = 5,
                      classCount: Int = 3) -> ImageDataset {
    let size = channels * height * width
    let pixels = (0..<count * size).map { UInt8(($0 / size * 7 + $0 % size) % 256) }
    return ImageDataset(name: "synthetic", images: pixels, labels: (0..<count).map { $0 % classCount },
                        channels: channels, height: height, width: width, classCount: classCount)
}
