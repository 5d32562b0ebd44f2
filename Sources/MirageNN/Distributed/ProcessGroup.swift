/// The processes of one data-parallel run and the collective operations between them, as
/// `torch.distributed`'s process group: every process (rank) calls each operation in the same
/// order with buffers of the same size, and each call returns when all have made it.
///
/// Mirage's own implementation is `MPIProcessGroup` in the `MirageMPI` target, over Open MPI,
/// which only the `mirage` command links; a library user who trains across processes in another
/// way can conform their own. ``SingleProcess`` is the group of one.
///
/// ```swift
/// let group: any ProcessGroup = try MPIProcessGroup.world()   // under mpirun -np 2
/// var gradients: [Float] = …
/// gradients.withUnsafeMutableBufferPointer { group.allReduceSum($0) }   // every rank: the sum
/// ```
public protocol ProcessGroup: AnyObject, Sendable {
    /// This process's number, in `0..<size`.
    var rank: Int { get }
    /// The number of processes.
    var size: Int { get }
    /// Replaces `values` on every process with their sum over the processes.
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>)
    /// Replaces `values` on every process with their element-wise maximum over the processes.
    func allReduceMax(_ values: UnsafeMutableBufferPointer<Double>)
    /// Every process's `bytes`, in rank order; every process passes the same number of bytes.
    func allGather(_ bytes: [UInt8]) -> [[UInt8]]
    /// `bytes` of process `root`, on every process; the others pass a buffer of the same size.
    func broadcast(_ bytes: inout [UInt8], root: Int)
}

/// The group of one process: every collective is the identity.
public final class SingleProcess: ProcessGroup {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) {}
    public func allReduceMax(_ values: UnsafeMutableBufferPointer<Double>) {}
    public func allGather(_ bytes: [UInt8]) -> [[UInt8]] { [bytes] }
    public func broadcast(_ bytes: inout [UInt8], root: Int) {}
}
