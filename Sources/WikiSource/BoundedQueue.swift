import Foundation

/// A bounded FIFO between threads; `finish()` marks the end, `fail` ends it with an error that
/// the consumer gets after the items put before it, `cancel` releases blocked producers when the
/// consumer has gone.
final class BoundedQueue<Item>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Item] = []
    private var head = 0
    private var ended = false
    private var failure: Error?
    private var cancelled = false
    private let depth: Int

    init(depth: Int) { self.depth = depth }

    /// Waits for room; returns false when the consumer has gone.
    func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= depth && !cancelled { condition.wait() }
        if cancelled { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    func finish() {
        condition.lock()
        ended = true
        condition.broadcast()
        condition.unlock()
    }

    func fail(_ error: Error) {
        condition.lock()
        if failure == nil { failure = error }
        condition.broadcast()
        condition.unlock()
    }

    /// The next item, nil at the end (or once cancelled); the failure after the items before it.
    func take() throws -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while items.count == head && !ended && failure == nil && !cancelled { condition.wait() }
        guard items.count > head else {
            if let failure { throw failure }
            return nil
        }
        let item = items[head]
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return item
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
