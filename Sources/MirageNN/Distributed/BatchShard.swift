import MirageTensor

/// One process's share of every global batch in data-parallel training: process `rank` of
/// `count` holds rows `rank·n ..< (rank + 1)·n` of each global batch of `count·n` rows.
///
/// What a step draws at random for its batch (latent noise, timesteps, masks, corruption) is
/// drawn for the whole global batch, as one process would draw it, and each process keeps its
/// rows: so the processes' generators stay in step with each other and with a single-process
/// run, and the union of their work is the single-process step. ``whole`` (one process) draws
/// exactly what the closure draws, with no copy.
///
/// ```swift
/// let z = context.shard.draw(n) { Tensor.randn([$0, latent], generator: noise) }   // [n, latent]
/// let t = context.shard.draw(n) { noise.nextIndex(below: steps) }                   // n timesteps
/// ```
public struct BatchShard: Sendable {
    /// This process's number, in `0..<count`.
    public let rank: Int
    /// The number of processes sharing each batch.
    public let count: Int
    /// The processes, for statistics over the global batch; `nil` for ``whole``.
    public let group: (any ProcessGroup)?

    /// The whole batch, in one process.
    public static let whole = BatchShard(rank: 0, count: 1, group: nil)

    private init(rank: Int, count: Int, group: (any ProcessGroup)?) {
        self.rank = rank
        self.count = count
        self.group = group
    }

    /// The share of process `group.rank` of `group.size`.
    public init(group: any ProcessGroup) {
        self.init(rank: group.rank, count: group.size, group: group.size > 1 ? group : nil)
    }

    /// Whether this is the whole batch (one process).
    public var isWhole: Bool { count == 1 }

    /// This shard's rows of a global batch whose shards hold `n` rows each.
    public func rows(_ n: Int) -> Range<Int> { rank * n ..< (rank + 1) * n }

    /// This shard's rows of `global`, whose first axis is `blocks` consecutive blocks, each a
    /// global batch of `count·n` rows (e.g. the `m` batches of noise a PacGAN step packs): the
    /// shard's `n` rows of each block, in block order.
    public func local(_ global: Tensor, blocks: Int = 1) -> Tensor {
        guard count > 1 else { return global }
        precondition(global.shape[0] % (blocks * count) == 0,
                     "BatchShard.local: \(global.shape[0]) rows are not \(blocks) blocks of \(count) shards")
        let n = global.shape[0] / (blocks * count)
        if blocks == 1 { return global.sliced(axis: 0, rows(n)) }
        let perBlock = global.shape[0] / blocks
        return Tensor.concat((0..<blocks).map { b in global.sliced(axis: 0, (b * perBlock + rank * n)..<(b * perBlock + (rank + 1) * n)) },
                             axis: 0)
    }

    /// Draws a tensor for the global batch and keeps this shard's rows.
    ///
    /// - Parameters:
    ///   - n: The rows this shard needs (per block).
    ///   - blocks: Consecutive global batches in one draw (see ``local(_:blocks:)``).
    ///   - draw: Draws a tensor of the given number of rows (`blocks·count·n`).
    public func draw(_ n: Int, blocks: Int = 1, _ draw: (Int) -> Tensor) -> Tensor {
        count == 1 ? draw(blocks * n) : local(draw(blocks * count * n), blocks: blocks)
    }

    /// Draws one value per row of the global batch (of each of `blocks` consecutive ones) and
    /// keeps this shard's `n` (of each).
    public func draw<T>(_ n: Int, blocks: Int = 1, _ each: () -> T) -> [T] {
        let all = (0..<(blocks * count * n)).map { _ in each() }
        guard count > 1 else { return all }
        var mine: [T] = []
        for block in 0..<blocks {
            let start = block * count * n + rank * n
            mine += all[start..<(start + n)]
        }
        return mine
    }

    /// All shards' rows of `local` (each shard's `[n, …]`), in rank order: the global batch on
    /// every process. Not differentiable.
    public func gathered(_ local: Tensor) -> Tensor {
        guard let group else { return local }
        let bytes = local.scalars.withUnsafeBytes { Array($0) }
        let parts = group.allGather(bytes).map { part in
            part.withUnsafeBytes { Tensor(Array($0.bindMemory(to: Float.self)), shape: local.shape) }
        }
        return Tensor.concat(parts, axis: 0)
    }

    /// The sum of `t` over the shards, on every process; differentiable (see
    /// `Tensor.summedAcrossProcesses(_:)`). `t` itself for ``whole``.
    public func sum(_ t: Tensor) -> Tensor {
        guard let group else { return t }
        return t.summedAcrossProcesses { group.allReduceSum($0) }
    }
}
