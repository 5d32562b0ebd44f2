import MirageData
import MirageModels
import MirageTensor

/// Small real subsets of MNIST for the models' training tests.
enum MNISTSubset {
    static let train: ImageDataset = {
        do { return try ImageDataset.mnist(split: .train) } catch { fatalError("MNIST is bundled in Data/mnist: \(error)") }
    }()
    static let test: ImageDataset = {
        do { return try ImageDataset.mnist(split: .test) } catch { fatalError("MNIST is bundled in Data/mnist: \(error)") }
    }()

    /// MNIST as a trainer's data.
    static let data = TrainingData(name: "mnist", train: .images(train), test: .images(test))

    /// The context of a step outside a trainer.
    static let context = StepContext(step: 0, epoch: 0, stepsPerEpoch: 1, totalSteps: 1)

    /// The first `count` training images, scaled to `range`.
    static func trainImages(_ count: Int, range: ClosedRange<Float> = 0...1) -> Tensor {
        train.tensor(indices: Array(0..<count), range: range)
    }

    /// The first `count` test images, scaled to `range`.
    static func testImages(_ count: Int, range: ClosedRange<Float> = 0...1) -> Tensor {
        test.tensor(indices: Array(0..<count), range: range)
    }

    /// Batches of `size` cycling over `images` in order.
    static func batch(_ images: Tensor, step: Int, size: Int) -> Tensor {
        let n = images.shape[0] / size
        let start = (step % n) * size
        return images.sliced(axis: 0, start..<(start + size))
    }
}
