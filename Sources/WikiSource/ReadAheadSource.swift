import CoreSupport
import CorpusFormat
import Foundation

/// Reads (and decompresses) its source on a thread of its own, a few chunks ahead of the
/// consumer, so that decompression and parsing use two cores. Memory: at most `depth` chunks.
public final class ReadAheadSource: ByteSource {
    private let queue: BoundedQueue<[UInt8]>
    private var current: [UInt8] = []
    private var currentOffset = 0
    public let name: String

    public init(_ source: ByteSource, chunkSize: Int = 1 << 20, depth: Int = 4) {
        name = source.name
        let queue = BoundedQueue<[UInt8]>(depth: depth)
        self.queue = queue
        nonisolated(unsafe) let source = source
        let thread = Thread {
            while true {
                var chunk = [UInt8](repeating: 0, count: chunkSize)
                do {
                    let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
                    chunk.removeSubrange(n...)
                    if chunk.isEmpty { queue.finish(); return }
                    if !queue.put(chunk) { return }
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
