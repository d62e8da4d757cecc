import Foundation
import Synchronization

/// A persistent pool of worker threads that runs `count` independent tasks per dispatch.
///
/// Tasks are claimed dynamically, so a worker that loses its time slice delays at most the one
/// task it holds; results never depend on which thread ran a task, which is what makes every
/// kernel bitwise identical for any thread count. Workers spin briefly after a dispatch (the
/// next one usually follows within microseconds), then sleep on a condition variable.
public final class WorkerPool: Sendable {
    public let threadCount: Int
    private let core: PoolCore

    /// `threads` defaults to the number of active processors.
    public init(threads: Int? = nil, spinIterations: Int = 20_000) {
        threadCount = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        core = PoolCore(spinLimit: spinIterations)
        for worker in 1..<threadCount {
            let thread = Thread { [core] in core.workerLoop(worker: worker) }
            thread.name = "minillm-worker-\(worker)"
            thread.start()
        }
    }

    deinit { core.shutDown() }

    public static let maxTasks = PoolCore.maxTasks

    /// Runs `body(task, worker)` for every task in `0..<count` and returns when all are done.
    /// `worker` is in `0..<threadCount` and is unique among concurrently running tasks, so it
    /// can index per-worker scratch memory. Tasks must write disjoint memory. One dispatcher at
    /// a time: calls must not overlap, and a task must not call `run` on its own pool.
    public func run(_ count: Int, _ body: (_ task: Int, _ worker: Int) -> Void) {
        precondition(count <= Self.maxTasks, "WorkerPool.run: \(count) tasks exceed \(Self.maxTasks)")
        if count <= 0 { return }
        if threadCount == 1 || count == 1 {
            for task in 0..<count { body(task, 0) }
            return
        }
        core.dispatch(count, body)
    }
}

/// The shared state of a pool; worker threads keep it alive until they see the shutdown.
final class PoolCore: @unchecked Sendable {
    // state = generation << 48 | taskCount << 24 | nextTask; one word so that a claim can never
    // mix two dispatches.
    private let state = Atomic<UInt64>(0)
    private let finished = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let shuttingDown = Atomic<Bool>(false)
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private nonisolated(unsafe) var body: ((Int, Int) -> Void)?
    private let spinLimit: Int

    private static let countBits: UInt64 = 24
    private static let fieldMask: UInt64 = (1 << 24) - 1
    static let maxTasks = Int(fieldMask)

    init(spinLimit: Int) {
        self.spinLimit = spinLimit
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    func shutDown() {
        shuttingDown.store(true, ordering: .sequentiallyConsistent)
        state.wrappingAdd(1 << 48, ordering: .sequentiallyConsistent)
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    func dispatch(_ count: Int, _ body: (Int, Int) -> Void) {
        withoutActuallyEscaping(body) { escapable in
            self.body = escapable
            finished.store(0, ordering: .relaxed)
            let generation = (state.load(ordering: .relaxed) >> 48) &+ 1
            state.store((generation << 48) | (UInt64(count) << Self.countBits), ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(condition)
                pthread_mutex_unlock(mutex)
            }
            runTasks(generation: generation, worker: 0)
            var spins = 0
            while finished.load(ordering: .acquiring) < count {
                spins += 1
                if spins > 1_000 { sched_yield() }
            }
            self.body = nil
        }
    }

    /// Claims and runs tasks of dispatch `generation` until none is left.
    private func runTasks(generation: UInt64, worker: Int) {
        var current = state.load(ordering: .acquiring)
        while true {
            guard current >> 48 == generation else { return }
            let count = (current >> Self.countBits) & Self.fieldMask
            let next = current & Self.fieldMask
            guard next < count else { return }
            let (exchanged, original) = state.compareExchange(
                expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged {
                body!(Int(next), worker)
                finished.wrappingAdd(1, ordering: .releasing)
                current = state.load(ordering: .acquiring)
            } else {
                current = original
            }
        }
    }

    func workerLoop(worker: Int) {
        var seen = state.load(ordering: .acquiring) >> 48
        while true {
            var spins = 0
            var generation = state.load(ordering: .acquiring) >> 48
            while generation == seen {
                if spins < spinLimit {
                    spins += 1
                } else {
                    pthread_mutex_lock(mutex)
                    sleepers.wrappingAdd(1, ordering: .sequentiallyConsistent)
                    while state.load(ordering: .sequentiallyConsistent) >> 48 == seen {
                        pthread_cond_wait(condition, mutex)
                    }
                    sleepers.wrappingSubtract(1, ordering: .sequentiallyConsistent)
                    pthread_mutex_unlock(mutex)
                }
                generation = state.load(ordering: .acquiring) >> 48
            }
            seen = generation
            if shuttingDown.load(ordering: .acquiring) { return }
            runTasks(generation: generation, worker: worker)
        }
    }
}
