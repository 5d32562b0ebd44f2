import CMPI
import Foundation
import MirageNN

/// A ``ProcessGroup`` over Open MPI's world communicator: the processes `mpirun` started.
///
/// ```swift
/// if MPIProcessGroup.launchedByMPI {
///     let world = try MPIProcessGroup.world()
///     print("rank \(world.rank) of \(world.size)")
/// }
/// ```
///
/// MPI is initialised once, for the process's life (MPI cannot be initialised again after it is
/// finalised), with the funnelled thread level: only the thread that initialised it, the
/// training loop's, makes MPI calls. It is finalised when the process exits. Failed calls end
/// the process with MPI's message, since a collective that failed on one process leaves the
/// others waiting for it.
public final class MPIProcessGroup: ProcessGroup, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    private let communicator: MPI_Comm

    /// Whether this process was started by `mpirun` (Open MPI or another PMIx launcher), read
    /// from the environment the launcher sets, without touching MPI.
    public static var launchedByMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"].contains { environment[$0] != nil }
    }

    nonisolated(unsafe) private static var shared: MPIProcessGroup?

    /// The world group, initialising MPI on first use.
    public static func world() throws -> MPIProcessGroup {
        if let shared { return shared }
        var provided: Int32 = 0
        let status = MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided)
        guard status == MPI_SUCCESS else { throw MPIError.initialisationFailed(code: status) }
        atexit { MPIProcessGroup.finalise() }
        let comm = mirage_mpi_comm_world()!
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(comm, &rank)
        MPI_Comm_size(comm, &size)
        let group = MPIProcessGroup(rank: Int(rank), size: Int(size), communicator: comm)
        shared = group
        return group
    }

    private init(rank: Int, size: Int, communicator: MPI_Comm) {
        self.rank = rank
        self.size = size
        self.communicator = communicator
    }

    private static func finalise() {
        var finalised: Int32 = 0
        MPI_Finalized(&finalised)
        if finalised == 0 { MPI_Finalize() }
    }

    // MPI counts are Int32; larger buffers go in pieces.
    private static let maximumCount = Int(Int32.max / 2)

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) {
        guard size > 1, let base = values.baseAddress else { return }
        for start in stride(from: 0, to: values.count, by: Self.maximumCount) {
            let n = min(Self.maximumCount, values.count - start)
            check(MPI_Allreduce(mirage_mpi_in_place(), base + start, Int32(n), mirage_mpi_float(), mirage_mpi_sum(), communicator),
                  "MPI_Allreduce")
        }
    }

    public func allReduceMax(_ values: UnsafeMutableBufferPointer<Double>) {
        guard size > 1, let base = values.baseAddress else { return }
        check(MPI_Allreduce(mirage_mpi_in_place(), base, Int32(values.count), mirage_mpi_double(), mirage_mpi_max(), communicator),
              "MPI_Allreduce")
    }

    public func allGather(_ bytes: [UInt8]) -> [[UInt8]] {
        guard size > 1 else { return [bytes] }
        var all = [UInt8](repeating: 0, count: bytes.count * size)
        bytes.withUnsafeBytes { send in
            all.withUnsafeMutableBytes { receive in
                check(MPI_Allgather(send.baseAddress, Int32(bytes.count), mirage_mpi_byte(),
                                    receive.baseAddress, Int32(bytes.count), mirage_mpi_byte(), communicator), "MPI_Allgather")
            }
        }
        return (0..<size).map { Array(all[($0 * bytes.count)..<(($0 + 1) * bytes.count)]) }
    }

    public func broadcast(_ bytes: inout [UInt8], root: Int) {
        guard size > 1 else { return }
        let count = bytes.count
        bytes.withUnsafeMutableBytes { buffer in
            for start in stride(from: 0, to: count, by: Self.maximumCount) {
                let n = min(Self.maximumCount, count - start)
                check(MPI_Bcast(buffer.baseAddress! + start, Int32(n), mirage_mpi_byte(), Int32(root), communicator), "MPI_Bcast")
            }
        }
    }

    private func check(_ status: Int32, _ call: String) {
        guard status != MPI_SUCCESS else { return }
        FileHandle.standardError.write(Data("error: rank \(rank): \(call) failed with MPI error \(status)\n".utf8))
        MPI_Abort(communicator, 1)
        exit(1)
    }
}

/// A failure to start MPI.
public enum MPIError: Error, CustomStringConvertible {
    case initialisationFailed(code: Int32)

    public var description: String {
        switch self {
        case let .initialisationFailed(code): return "MPI_Init_thread failed with MPI error \(code)"
        }
    }
}
