import ArgumentParser
import MirageEval
import MirageModels

extension MNISTJudge {
    /// The judge (the one at `path`, or the shipped one) that is to read the images of `model`,
    /// the model of the run at `run`: a model whose images are not the MNIST-sized digits the
    /// judge reads is refused before anything is drawn, naming the run and both shapes.
    static func load(path: String?, reading model: any Sampling, of run: String) throws -> MNISTJudge {
        guard model.sampleShape == imageShape else {
            throw ValidationError("\(run) draws images of \(model.sampleShape); the judge reads \(imageShape) (MNIST-sized digits)")
        }
        return try load(path: path)
    }
}
