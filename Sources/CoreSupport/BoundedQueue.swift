import Foundation

/// A bounded FIFO between threads; `finish()` marks the end, `fail` ends it with an error that
/// the consumer gets after the items put before it, `cancel` releases blocked producers when the
/// consumer has gone.
public final class BoundedQueue<Item>: @unchecked Sendable {
    private let condition = NSCondition()
    /// Short (its depth, or the units in flight): removing from the front is cheap, and a taken
    /// item is let go at once.
    private var items: [Item] = []
    private var ended = false
    private var failure: Error?
    private var cancelled = false
    private let depth: Int

    public init(depth: Int) { self.depth = depth }

    /// Waits for room; returns false when the consumer has gone.
    public func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= depth && !cancelled { condition.wait() }
        if cancelled { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    public func finish() {
        condition.lock()
        ended = true
        condition.broadcast()
        condition.unlock()
    }

    public func fail(_ error: Error) {
        condition.lock()
        if failure == nil { failure = error }
        condition.broadcast()
        condition.unlock()
    }

    /// The next item, nil at the end (or once cancelled); the failure after the items before it.
    public func take() throws -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !ended && failure == nil && !cancelled { condition.wait() }
        guard !items.isEmpty else {
            if let failure { throw failure }
            return nil
        }
        condition.broadcast()
        return items.removeFirst()
    }

    public func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
