import MirageTensor

/// What `mirage sample` asks of every model, whatever its own sampling options: how many samples,
/// from which noise, and where to report a long chain's progress.
///
/// ```swift
/// let request = SampleRequest(count: 64, seed: 0)
/// let images = try DDPMKind.sample(ddpm, request, options: .parse(["--sampling-steps", "20"]))
/// ```
public struct SampleRequest {
    /// The number of samples.
    public var count: Int
    /// The source of every random number the draw takes, seeded by the command's `--seed`.
    public var generator: RandomGenerator
    /// Called by samplers that take many passes of their network (a diffusion chain, a PixelCNN's
    /// pixels) with (passes done, passes in all).
    public var progress: (Int, Int) -> Void
    /// The index of this request's first sample in the whole draw, when a large draw is made a
    /// chunk at a time (the generator carries on from the last chunk): 0 for the first chunk.
    public var offset = 0

    public init(count: Int, seed: UInt64, progress: @escaping (Int, Int) -> Void = { _, _ in }) {
        self.init(count: count, generator: RandomGenerator(seed: seed), progress: progress)
    }

    /// A request that draws from `generator` where an earlier one stopped (the next chunk of a
    /// large draw).
    public init(count: Int, generator: RandomGenerator, progress: @escaping (Int, Int) -> Void = { _, _ in }) {
        precondition(count > 0, "SampleRequest: count must be positive, got \(count)")
        self.count = count
        self.generator = generator
        self.progress = progress
    }
}
