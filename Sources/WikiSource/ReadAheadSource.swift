import CorpusFormat
import Foundation

/// Reads (and decompresses) its source on a thread of its own, a few chunks ahead of the
/// consumer, so that decompression and parsing use two cores. Memory: at most `depth` chunks.
public final class ReadAheadSource: ByteSource {
    private let queue: ChunkQueue
    private var current: [UInt8] = []
    private var currentOffset = 0
    public let name: String

    public init(_ source: ByteSource, chunkSize: Int = 1 << 20, depth: Int = 4) {
        name = source.name
        let queue = ChunkQueue(depth: depth)
        self.queue = queue
        nonisolated(unsafe) let source = source
        let thread = Thread {
            while true {
                var chunk = [UInt8](repeating: 0, count: chunkSize)
                do {
                    let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
                    chunk.removeSubrange(n...)
                    if !queue.put(chunk.isEmpty ? nil : chunk) || chunk.isEmpty { return }
                } catch {
                    queue.fail(error)
                    return
                }
            }
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// A consumer that stops early releases the producer thread.
    deinit { queue.cancel() }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if currentOffset == current.count {
            guard let next = try queue.take() else { return 0 }
            current = next
            currentOffset = 0
        }
        let n = min(buffer.count, current.count - currentOffset)
        current.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + currentOffset, byteCount: n) }
        currentOffset += n
        return n
    }
}

/// A bounded queue of chunks between one producer and one consumer; `nil` marks the end.
private final class ChunkQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var ended = false
    private var failure: Error?
    private var cancelled = false
    private let depth: Int

    init(depth: Int) { self.depth = depth }

    /// Returns false when the consumer has gone.
    func put(_ chunk: [UInt8]?) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while chunks.count >= depth && !cancelled { condition.wait() }
        if cancelled { return false }
        if let chunk { chunks.append(chunk) } else { ended = true }
        condition.broadcast()
        return true
    }

    func fail(_ error: Error) {
        condition.lock()
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    func take() throws -> [UInt8]? {
        condition.lock()
        defer { condition.unlock() }
        while chunks.isEmpty && !ended && failure == nil { condition.wait() }
        if chunks.isEmpty {
            if let failure { throw failure }
            return nil
        }
        condition.broadcast()
        return chunks.removeFirst()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
