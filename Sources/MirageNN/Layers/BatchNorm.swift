import MirageTensor

/// Batch normalisation (Ioffe & Szegedy, 2015) over the channel axis 1, like
/// `torch.nn.BatchNorm1d` / `BatchNorm2d`.
///
/// In training mode it normalises with the batch's mean and biased variance and updates the
/// running statistics (`running = (1 − momentum)·running + momentum·batch`, with the unbiased
/// variance); in evaluation mode it uses the running statistics.
///
/// ## Shape
/// `(N, C)` or `(N, C, L)` for ``BatchNorm1d``, `(N, C, H, W)` for ``BatchNorm2d``; output as input.
///
/// - SeeAlso: <https://arxiv.org/abs/1502.03167>
public class BatchNorm: Module, NormalizationLayer {
    @Parameter public var weight: Tensor?
    @Parameter public var bias: Tensor?
    @Buffer public var runningMean: Tensor?
    @Buffer public var runningVar: Tensor?
    @Buffer public var numBatchesTracked: Tensor?
    public let numFeatures: Int
    public let eps: Float
    public let momentum: Float
    let ranks: Set<Int>
    /// In data-parallel training with synchronised statistics, this process's share of the
    /// batch: the mean and variance are those of the global batch, summed across the processes
    /// (forward and backward), so the output equals one process's on the whole batch. ``BatchShard/whole``
    /// (the default) uses this process's rows alone, as PyTorch's DDP does without SyncBatchNorm.
    public var shard = BatchShard.whole

    init(numFeatures: Int, eps: Float, momentum: Float, affine: Bool, trackRunningStats: Bool, ranks: Set<Int>) {
        self.numFeatures = numFeatures
        self.eps = eps
        self.momentum = momentum
        self.ranks = ranks
        self.weight = affine ? Tensor.ones([numFeatures]) : nil
        self.bias = affine ? Tensor.zeros([numFeatures]) : nil
        self.runningMean = trackRunningStats ? Tensor.zeros([numFeatures]) : nil
        self.runningVar = trackRunningStats ? Tensor.ones([numFeatures]) : nil
        self.numBatchesTracked = trackRunningStats ? Tensor(0) : nil
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, then: nil) }

    /// The normalisation followed by `activation`: in training, in one pass over the activations
    /// forward and one backward (`bn(x, then: .leakyRelu(negativeSlope: 0.2))` is
    /// `bn(x).leakyRelu(0.2)` without the intermediate); with running or synchronised statistics,
    /// as two ops.
    public func callAsFunction(_ x: Tensor, then activation: NormalizationActivation?) -> Tensor {
        precondition(ranks.contains(x.rank) && x.shape[1] == numFeatures,
                     "\(type(of: self)): input has shape \(x.shape), expected rank \(ranks.sorted()) with \(numFeatures) channels")
        if isTraining || runningMean == nil {
            var (y, mean, variance) = shard.isWhole
                ? x.batchNormalized(weight: weight, bias: bias, eps: eps, activation: activation) : synchronised(x)
            if !shard.isWhole, let activation { y = activation(y) }
            if isTraining, let rm = runningMean, let rv = runningVar {
                let n = Float(shard.count * x.count / numFeatures)
                precondition(n > 1, "\(type(of: self)): training needs more than one value per channel, got input shape \(x.shape)")
                withNoGrad {
                    runningMean = rm * (1 - momentum) + mean * momentum
                    runningVar = rv * (1 - momentum) + variance * (momentum * n / (n - 1))
                    numBatchesTracked = numBatchesTracked.map { $0 + 1 }
                }
            }
            return y
        }
        // Running statistics fold into one scale and shift per channel.
        return activation.map { $0(folded(x)) } ?? folded(x)
    }

    /// Normalisation with the statistics of the global batch: per channel, Σx and Σx² summed
    /// across the processes, then the biased variance E[x²] − E[x]². Returns what
    /// `batchNormalized` does (output, mean, biased variance; the statistics detached).
    private func synchronised(_ x: Tensor) -> (Tensor, Tensor, Tensor) {
        let axes = [0] + Array(2..<x.rank)
        let n = Float(shard.count * x.count / numFeatures)
        let moments = shard.sum(Tensor.concat([x.sum(axes: axes), (x * x).sum(axes: axes)].map { $0.reshaped([1, numFeatures]) }, axis: 0)) * (1 / n)
        let mean = moments.sliced(axis: 0, 0..<1).reshaped([numFeatures])
        let variance = (moments.sliced(axis: 0, 1..<2).reshaped([numFeatures]) - mean * mean).clamped(min: 0, max: .infinity)
        let inverse = 1 / (variance + eps).sqrt()
        let scale = weight.map { inverse * $0 } ?? inverse
        let shift = (bias ?? Tensor.zeros([numFeatures])) - mean * scale
        return (x.channelAffine(scale: scale, shift: shift), mean.detached(), variance.detached())
    }

    private func folded(_ x: Tensor) -> Tensor {
        let scale = 1 / (runningVar! + eps).sqrt() * (weight ?? Tensor.ones([numFeatures]))
        let shift = (bias ?? Tensor.zeros([numFeatures])) - runningMean! * scale
        return x.channelAffine(scale: scale, shift: shift)
    }
}

/// Batch normalisation for `(N, C)` or `(N, C, L)` inputs, like `torch.nn.BatchNorm1d`.
public final class BatchNorm1d: BatchNorm {
    public init(_ numFeatures: Int, eps: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true) {
        super.init(numFeatures: numFeatures, eps: eps, momentum: momentum, affine: affine,
                   trackRunningStats: trackRunningStats, ranks: [2, 3])
    }
}

/// Batch normalisation for `(N, C, H, W)` inputs, like `torch.nn.BatchNorm2d`.
public final class BatchNorm2d: BatchNorm {
    public init(_ numFeatures: Int, eps: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true) {
        super.init(numFeatures: numFeatures, eps: eps, momentum: momentum, affine: affine,
                   trackRunningStats: trackRunningStats, ranks: [4])
    }
}
