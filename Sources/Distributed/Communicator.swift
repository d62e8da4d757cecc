import CMPI
import CoreSupport
import Foundation

/// The processes that train together: this process alone (no MPI call at all), or the ranks
/// `mpirun` started, over Open MPI's `MPI_COMM_WORLD`. Only the main thread calls it.
///
/// Every operation is a non-blocking MPI collective polled to completion, so that a rank that
/// died or hangs cannot block the others forever: each wait ends after `timeout` seconds with
/// `DistributedError.timeout` (or at once with `Interrupted` after SIGTERM/SIGINT, which is what
/// `mpirun` sends the others when one rank dies). Errors are returned, not fatal
/// (`MPI_ERRORS_RETURN`), and become one line naming the operation. No operation reduces: MPI
/// promises no summation order, so sums are done by the caller in a fixed order
/// (`FixedOrderReduction`) and MPI only moves bytes.
public final class Communicator: Sendable {
    public let rank: Int
    public let size: Int
    /// Ranks of this job on this host, which share its cores.
    public let localSize: Int
    /// Seconds any one collective may wait for the slowest rank (`MINILLM_COMM_TIMEOUT`, default 300).
    public let timeout: Double
    let usesMPI: Bool

    public static let single = Communicator(rank: 0, size: 1, localSize: 1, timeout: .infinity, usesMPI: false)

    init(rank: Int, size: Int, localSize: Int, timeout: Double, usesMPI: Bool) {
        self.rank = rank
        self.size = size
        self.localSize = localSize
        self.timeout = timeout
        self.usesMPI = usesMPI
    }

    /// This process's communicator: MPI's world when `mpirun` started the process (MPI is then
    /// initialised once, here), else `single`.
    public static func world() throws(DistributedError) -> Communicator { try initialized.get() }

    private static let initialized: Result<Communicator, DistributedError> = initializeWorld()

    /// Whether `mpirun` (Open MPI's launcher) started this process.
    public static var launchedByMPI: Bool { ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] != nil }

    private static func initializeWorld() -> Result<Communicator, DistributedError> {
        guard launchedByMPI else { return .success(single) }
        let environment = ProcessInfo.processInfo.environment
        let timeout = environment["MINILLM_COMM_TIMEOUT"].flatMap(Double.init).map { max($0, 0.1) } ?? 300
        var provided: Int32 = 0
        var code = MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided)
        guard code == MPI_SUCCESS else { return .failure(.mpi(operation: "MPI_Init_thread", message: errorText(code))) }
        code = MPI_Comm_set_errhandler(minillm_mpi_comm_world(), minillm_mpi_errors_return())
        guard code == MPI_SUCCESS else { return .failure(.mpi(operation: "MPI_Comm_set_errhandler", message: errorText(code))) }
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(minillm_mpi_comm_world(), &rank)
        MPI_Comm_size(minillm_mpi_comm_world(), &size)
        let localSize = environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init) ?? 1
        return .success(Communicator(rank: Int(rank), size: Int(size), localSize: max(localSize, 1), timeout: timeout,
                                     usesMPI: true))
    }

    /// Worker threads for a rank when `MINILLM_THREADS` is not set: this host's cores shared
    /// among its ranks (nil alone: the kernels' default, every core).
    public var defaultThreads: Int? {
        usesMPI ? max(1, ProcessInfo.processInfo.activeProcessorCount / localSize) : nil
    }

    /// Ends MPI after a successful run (every rank must call it; a failed rank exits without it,
    /// and `mpirun` then stops the others).
    public func finalize() {
        if usesMPI { MPI_Finalize() }
    }

    /// Every rank sends `sendCounts[r]` floats at `sendOffsets[r]` of `send` to rank r and
    /// receives `receiveCounts[r]` floats from rank r at `receiveOffsets[r]` of `receive`.
    public func allToAll(send: UnsafePointer<Float>, sendCounts: [Int32], sendOffsets: [Int32],
                         receive: UnsafeMutablePointer<Float>, receiveCounts: [Int32], receiveOffsets: [Int32],
                         _ what: String) throws {
        guard usesMPI else {
            (receive + Int(receiveOffsets[0])).update(from: send + Int(sendOffsets[0]), count: Int(sendCounts[0]))
            return
        }
        try sendCounts.withUnsafeBufferPointer { sc in
            try sendOffsets.withUnsafeBufferPointer { so in
                try receiveCounts.withUnsafeBufferPointer { rc in
                    try receiveOffsets.withUnsafeBufferPointer { ro in
                        var request: MPI_Request?
                        try check(MPI_Ialltoallv(send, sc.baseAddress, so.baseAddress, minillm_mpi_float(), receive,
                                                 rc.baseAddress, ro.baseAddress, minillm_mpi_float(),
                                                 minillm_mpi_comm_world(), &request), what)
                        try wait(&request, what, timeout: timeout)
                    }
                }
            }
        }
    }

    /// Rank r's `counts[r]` elements at `offsets[r]` of `buffer` reach every rank, in place.
    public func allGather(_ buffer: UnsafeMutablePointer<Float>, counts: [Int32], offsets: [Int32], _ what: String) throws {
        try allGather(UnsafeMutableRawPointer(buffer), type: minillm_mpi_float(), counts: counts, offsets: offsets, what)
    }

    public func allGather(_ buffer: UnsafeMutablePointer<Double>, counts: [Int32], offsets: [Int32], _ what: String) throws {
        try allGather(UnsafeMutableRawPointer(buffer), type: minillm_mpi_double(), counts: counts, offsets: offsets, what)
    }

    private func allGather(_ buffer: UnsafeMutableRawPointer, type: MPI_Datatype?, counts: [Int32], offsets: [Int32],
                           _ what: String) throws {
        guard usesMPI else { return }
        try counts.withUnsafeBufferPointer { c in
            try offsets.withUnsafeBufferPointer { o in
                var request: MPI_Request?
                try check(MPI_Iallgatherv(minillm_mpi_in_place(), 0, type, buffer, c.baseAddress, o.baseAddress, type,
                                          minillm_mpi_comm_world(), &request), what)
                try wait(&request, what, timeout: timeout)
            }
        }
    }

    /// Rank 0's `count` bytes at `buffer` reach every rank. `patient` waits without a time limit
    /// (rank 0 may wait for a lock or hash its inputs first).
    public func broadcast(_ buffer: UnsafeMutableRawPointer, bytes count: Int, _ what: String, patient: Bool = false) throws {
        guard usesMPI else { return }
        let piece = 1 << 30
        for start in stride(from: 0, to: count, by: piece) {
            var request: MPI_Request?
            try check(MPI_Ibcast(buffer + start, Int32(min(piece, count - start)), minillm_mpi_byte(), 0,
                                 minillm_mpi_comm_world(), &request), what)
            try wait(&request, what, timeout: patient ? .infinity : timeout)
        }
    }

    /// Rank 0's `data` on every rank (the argument is ignored elsewhere).
    public func broadcast(_ data: Data, _ what: String, patient: Bool = false) throws -> Data {
        var length = Int64(data.count)
        try broadcast(&length, bytes: 8, what, patient: patient)
        var bytes = rank == 0 ? [UInt8](data) : [UInt8](repeating: 0, count: Int(length))
        try bytes.withUnsafeMutableBytes { try broadcast($0.baseAddress!, bytes: $0.count, what) }
        return Data(bytes)
    }

    /// Polls a request, sleeping a little longer each time (at most 1 ms): Open MPI progresses
    /// non-blocking collectives only inside MPI calls, so the loop keeps them moving.
    private func wait(_ request: inout MPI_Request?, _ what: String, timeout: Double) throws {
        let deadline = timeout.isFinite ? Date().addingTimeInterval(timeout) : .distantFuture
        var pause: UInt32 = 10
        while true {
            var done: Int32 = 0
            try check(MPI_Test(&request, &done, minillm_mpi_status_ignore()), what)
            if done != 0 { return }
            try Interruption.check()
            guard Date() < deadline else { throw DistributedError.timeout(operation: what, rank: rank, seconds: timeout) }
            usleep(pause)
            pause = min(pause * 2, 1000)
        }
    }

    private func check(_ code: Int32, _ what: String) throws(DistributedError) {
        guard code != MPI_SUCCESS else { return }
        throw .mpi(operation: "rank \(rank): \(what)", message: Self.errorText(code))
    }

    private static func errorText(_ code: Int32) -> String {
        var text = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        return String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Why ranks could not work together, in one line.
public enum DistributedError: Error, CustomStringConvertible, Equatable {
    case mpi(operation: String, message: String)
    case timeout(operation: String, rank: Int, seconds: Double)
    case refused(String)

    public var description: String {
        switch self {
        case .mpi(let operation, let message): "MPI failed in \(operation): \(message)"
        case .timeout(let operation, let rank, let seconds):
            "rank \(rank): \(operation) did not complete within \(Int(seconds)) s (MINILLM_COMM_TIMEOUT): "
                + "another rank died or hangs"
        case .refused(let reason): reason
        }
    }
}
