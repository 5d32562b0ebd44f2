/// What a training run does, beyond the model's own hyper-parameters.
public struct TrainingOptions: Codable, Sendable, Equatable {
    /// Stop after this many steps; by default `epochs` full passes over the data.
    public var steps: Int?
    public var epochs = 5
    public var batchSize = 64
    /// Seeds the data order and the fixed noise of the sample sheets.
    public var seed: UInt64 = 0
    /// Save `checkpoints/last.safetensors` every this many steps (and at the end).
    public var checkpointEvery = 1000
    /// Append to `metrics.jsonl` every this many steps.
    public var logEvery = 50
    /// Use only the first this many training images (for quick experiments and tests).
    public var trainingSubset: Int?
    /// Leave the training images of this class out (before ``trainingSubset`` is taken): the
    /// leave-one-class-out protocol of anomaly detection, where the class left out is the anomaly
    /// that `mirage eval anomaly` scores. The test split keeps every class.
    public var excludedClass: Int?
    /// Let a fresh run replace the run already in its folder (else it refuses). An action, not a
    /// property of the run: `config.json` does not record it.
    public var overwrite = false
    /// Stop cleanly, with a checkpoint, before this many seconds of training have passed: the
    /// loop leaves room for the slowest step it has seen, a checkpoint and, at an epoch's end, the
    /// sheets. Of this invocation, not the run: `config.json` does not record it.
    public var timeLimit: Double?
    /// Signals besides SIGINT and SIGTERM that stop the run cleanly with a checkpoint (a
    /// scheduler's warning before it kills). Of this invocation, like ``timeLimit``.
    public var checkpointSignals: [Int32] = []
    /// In data-parallel training, batch norm's statistics over the global batch rather than each
    /// process's share (`--sync-batchnorm`). Of this invocation, like ``timeLimit``: it changes
    /// nothing in one process.
    public var synchroniseBatchNorm = false
    /// Draw the sample sheets after every epoch and at the end (`--no-sheets` turns them off:
    /// a PixelCNN's or a DDPM's sheets run the whole sampler on 64 images, seconds on an idle
    /// machine, minutes on a busy one). Of this invocation, like ``timeLimit``.
    public var drawsSheets = true
    public init() {}

    enum CodingKeys: String, CodingKey {
        case steps, epochs, batchSize, seed, checkpointEvery, logEvery, trainingSubset, excludedClass
    }
}
