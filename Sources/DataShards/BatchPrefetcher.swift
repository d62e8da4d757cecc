import CoreSupport
import Foundation

/// Computes the next batches of a `BatchSampler` on a background thread while the trainer works
/// on the current one. Batches are a pure function of (seed, step), so prefetching changes
/// nothing but timing. The thread ends when the prefetcher is stopped or released.
public final class BatchPrefetcher: @unchecked Sendable {
    private let queue: BoundedQueue<(step: Int, batch: Batch)>
    private let producerEnded = DispatchSemaphore(value: 0)
    private let stopping = NSLock()
    private var stopped = false

    public init(_ sampler: BatchSampler, from step: Int, depth: Int = 2) {
        precondition(depth > 0, "prefetch depth must be positive")
        let queue = BoundedQueue<(step: Int, batch: Batch)>(depth: depth)
        let ended = producerEnded
        self.queue = queue
        let thread = Thread {
            var next = step
            while queue.put((next, sampler.batch(step: next))) { next += 1 }
            ended.signal()
        }
        thread.name = "minillm-batch-prefetch"
        thread.start()
    }

    deinit { stop() }

    /// The next step's batch, in order from the starting step.
    public func next() -> (step: Int, batch: Batch) {
        guard let item = try? queue.take() else { preconditionFailure("next() called on a stopped BatchPrefetcher") }
        return item
    }

    /// Ends the background thread and waits for it.
    public func stop() {
        stopping.lock()
        defer { stopping.unlock() }
        guard !stopped else { return }
        stopped = true
        queue.cancel()
        producerEnded.wait()
    }
}
