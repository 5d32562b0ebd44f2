import Foundation
import MirageData
import MirageNN
import MirageTensor

/// Where `mirage train` gets the processes it trains with. The `mirage` command sets ``world``
/// when `mpirun` started it (to its Open MPI group, from the `MirageMPI` target); unset, a run is
/// one process. A library user can set it to their own ``ProcessGroup``.
public enum DistributedTraining {
    /// Supplies the group of processes; `nil` trains in one process.
    nonisolated(unsafe) public static var world: (() throws -> any ProcessGroup)?

    /// The group `mirage train` trains with now: ``world``'s, or one process.
    static func group() throws -> any ProcessGroup { try world?() ?? SingleProcess() }
}

/// Data parallelism over a ``ProcessGroup``, as the ``Trainer`` applies it: every process holds
/// the whole model and takes its ``BatchShard`` of each global batch; the gradients are averaged
/// in the ``Updater``'s hook, before clipping and the optimizer, so that every process takes the
/// same update, the one a single process would take on the global batch.
struct DataParallel {
    let group: any ProcessGroup
    let shard: BatchShard
    /// What the gradient all-reduces have cost so far.
    let traffic = Traffic()

    /// Gradient all-reduces: their number, bytes and time.
    final class Traffic: @unchecked Sendable {
        var calls = 0
        var bytes = 0
        var seconds = 0.0
    }

    init(group: any ProcessGroup) {
        self.group = group
        shard = BatchShard(group: group)
    }

    var isDistributed: Bool { group.size > 1 }

    /// This process's rows of a global batch.
    func local(_ batch: Batch) -> Batch {
        guard isDistributed else { return batch }
        let n = batch.images.shape[0] / group.size
        let rows = shard.rows(n)
        return Batch(images: batch.images.sliced(axis: 0, rows), labels: batch.labels.sliced(axis: 0, rows),
                     indices: Array(batch.indices[rows]))
    }

    /// Gives every `Dropout` the shard (its masks are per-example draws), every ``ActNorm`` (its
    /// first statistics must be the global batch's, for every process to start alike) and, with
    /// synchronised batch norm, every `BatchNorm` (its statistics then cover the global batch).
    func prepare(_ model: any GenerativeModel, synchroniseBatchNorm: Bool) {
        for (_, network) in model.networks {
            network.apply { module in
                if let dropout = module as? Dropout { dropout.shard = shard }
                if let actnorm = module as? ActNorm { actnorm.shard = shard }
                if synchroniseBatchNorm, let norm = module as? BatchNorm { norm.shard = shard }
            }
        }
    }

    /// The gradient hook: every gradient of the optimizer's parameters summed across the
    /// processes in one all-reduce of one packed buffer, then divided by their number. Each
    /// parameter carries a flag in the buffer (1 where it has a gradient), so that one without a
    /// gradient on every process stays without one, as in a single process.
    func averageGradients() -> ([Tensor]) -> Void {
        let group = self.group, traffic = self.traffic
        var buffer: [Float] = []
        return { parameters in
            let total = parameters.count + parameters.reduce(0) { $0 + $1.count }
            if buffer.count != total { buffer = [Float](repeating: 0, count: total) }
            buffer.withUnsafeMutableBufferPointer { b in
                var offset = parameters.count
                for (i, p) in parameters.enumerated() {
                    if let g = p.grad {
                        b[i] = 1
                        g.withUnsafeBufferPointer { src in (b.baseAddress! + offset).update(from: src.baseAddress!, count: p.count) }
                    } else {
                        b[i] = 0
                        (b.baseAddress! + offset).update(repeating: 0, count: p.count)
                    }
                    offset += p.count
                }
                let started = DispatchTime.now().uptimeNanoseconds
                group.allReduceSum(b)
                traffic.seconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                traffic.calls += 1
                traffic.bytes += total * MemoryLayout<Float>.size
                offset = parameters.count
                let scale = 1 / Float(group.size)
                for (i, p) in parameters.enumerated() {
                    defer { offset += p.count }
                    guard b[i] > 0 else { continue }
                    precondition(b[i] == Float(group.size),
                                 "data parallel: parameter \(i) \(p.shape) has a gradient on \(Int(b[i])) of \(group.size) processes")
                    let storage = TensorStorage(count: p.count)
                    for k in 0..<p.count { storage.data[k] = b[offset + k] * scale }
                    p.grad = Tensor(storage: storage, shape: p.shape)
                }
            }
        }
    }

    /// The mean of each logged value over the processes (each computed on its rows), and
    /// whether any process asked to stop: one small all-reduce per step, so that every process
    /// logs, checks for divergence and stops at the same step.
    func agree(on losses: [String: Float], stop: Bool) -> (losses: [String: Float], stop: Bool) {
        guard isDistributed else { return (losses, stop) }
        let keys = losses.keys.sorted()
        var values = keys.map { losses[$0]! } + [stop ? 1 : 0]
        values.withUnsafeMutableBufferPointer { group.allReduceSum($0) }
        let n = Float(group.size)
        return (Dictionary(uniqueKeysWithValues: zip(keys, values.map { $0 / n })), values.last! > 0)
    }

    /// Whether any process's answer is yes.
    func any(_ answer: Bool) -> Bool {
        guard isDistributed else { return answer }
        var value = [answer ? 1.0 : 0.0]
        value.withUnsafeMutableBufferPointer { group.allReduceMax($0) }
        return value[0] > 0
    }

    /// Checks that every process holds the same parameters, bit for bit, as data parallelism
    /// promises (the same averaged gradients and the same global statistics everywhere): a
    /// per-process state that slipped in would otherwise be saved as rank 0's alone.
    func checkInStep(_ model: any GenerativeModel, step: Int) throws {
        guard isDistributed else { return }
        var hash = FNV1a()
        for (_, network) in model.networks {
            for parameter in network.parameters() { hash.combine(parameter) }
        }
        let differing = ranks(differingFrom: hash)
        if !differing.isEmpty { throw TrainingError.processesDiverged(ranks: differing, step: step) }
    }

    /// Refuses to start unless every process runs the same training: the same kind,
    /// configuration, options, data, step and build, compared by a hash of them all (the
    /// description is only made when there are several processes).
    func checkAgreement(_ description: @autoclosure () -> String) throws {
        guard isDistributed else { return }
        var hash = FNV1a()
        hash.combine(description().utf8)
        let differing = ranks(differingFrom: hash)
        if !differing.isEmpty { throw TrainingError.processesDisagree(ranks: differing, processes: group.size) }
    }

    /// The ranks whose hash differs from rank 0's.
    private func ranks(differingFrom hash: FNV1a) -> [Int] {
        let all = group.allGather(withUnsafeBytes(of: hash.value.littleEndian) { Array($0) })
        return all.indices.filter { all[$0] != all[0] }
    }
}
