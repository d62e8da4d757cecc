import Foundation

/// Computes the next batches of a `BatchSampler` on a background thread while the trainer works
/// on the current one. Batches are a pure function of (seed, step), so prefetching changes
/// nothing but timing. The thread ends when the prefetcher is stopped or released.
public final class BatchPrefetcher: @unchecked Sendable {
    private let state: State

    public init(_ sampler: BatchSampler, from step: Int, depth: Int = 2) {
        precondition(depth > 0, "prefetch depth must be positive")
        state = State(sampler: sampler, next: step, depth: depth)
        let state = self.state
        let thread = Thread { state.produce() }
        thread.name = "minillm-batch-prefetch"
        thread.start()
    }

    deinit { state.stop() }

    /// The next step's batch, in order from the starting step.
    public func next() -> (step: Int, batch: Batch) { state.take() }

    /// Ends the background thread and waits for it.
    public func stop() { state.stop() }

    private final class State: @unchecked Sendable {
        let sampler: BatchSampler
        let depth: Int
        private var nextStep: Int
        private var ready: [(step: Int, batch: Batch)] = []
        private var stopping = false
        private var finished = false
        private let condition = NSCondition()

        init(sampler: BatchSampler, next: Int, depth: Int) {
            self.sampler = sampler
            self.nextStep = next
            self.depth = depth
        }

        func produce() {
            while true {
                condition.lock()
                while ready.count >= depth && !stopping { condition.wait() }
                if stopping {
                    finished = true
                    condition.broadcast()
                    condition.unlock()
                    return
                }
                let step = nextStep
                nextStep += 1
                condition.unlock()
                let batch = sampler.batch(step: step)
                condition.lock()
                ready.append((step, batch))
                condition.broadcast()
                condition.unlock()
            }
        }

        func take() -> (step: Int, batch: Batch) {
            condition.lock()
            defer { condition.unlock() }
            while ready.isEmpty && !stopping { condition.wait() }
            precondition(!ready.isEmpty, "next() called on a stopped BatchPrefetcher")
            let item = ready.removeFirst()
            condition.broadcast()
            return item
        }

        func stop() {
            condition.lock()
            stopping = true
            condition.broadcast()
            while !finished { condition.wait() }
            condition.unlock()
        }
    }
}
