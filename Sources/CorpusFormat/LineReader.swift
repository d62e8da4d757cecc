import Foundation

/// Splits a byte stream into lines (without the `\n`). A line may be any length; memory is the
/// longest line plus one read chunk.
public final class LineReader {
    private let source: ByteSource
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var ended = false
    private let chunkSize: Int
    public private(set) var lineNumber = 0
    /// Bytes of the stream before the buffer's first byte.
    private var base: Int64 = 0

    /// `offset` and `line`: where in a longer stream `source` starts (the byte offset and the
    /// number of the line before it), for `offset` and `lineNumber`.
    public init(_ source: ByteSource, chunkSize: Int = 1 << 20, offset: Int64 = 0, line: Int = 0) {
        self.source = source
        self.chunkSize = chunkSize
        buffer = .allocate(byteCount: chunkSize, alignment: 16)
        base = offset
        lineNumber = line
    }

    /// The byte offset of the next line in the stream.
    public var offset: Int64 { base + Int64(start) }

    deinit { buffer.deallocate() }

    /// Calls `body` with the next line, or returns nil at the end. The bytes are valid only during the call.
    public func next<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R? {
        var scanFrom = start
        while true {
            if scanFrom < end, let p = memchr(buffer.baseAddress! + scanFrom, 0x0A, end - scanFrom) {
                let newline = UnsafeRawPointer(p) - UnsafeRawPointer(buffer.baseAddress!)
                return try deliver(upTo: newline, skip: 1, body)
            }
            if ended {
                guard start < end else { return nil }
                return try deliver(upTo: end, skip: 0, body)
            }
            scanFrom = end - start
            try refill()
        }
    }

    private func deliver<R>(upTo stop: Int, skip: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R {
        lineNumber += 1
        let line = UnsafeBufferPointer(start: (buffer.baseAddress! + start).assumingMemoryBound(to: UInt8.self), count: stop - start)
        let result = try body(line)
        start = stop + skip
        return result
    }

    /// Moves the unread bytes to the front, grows the buffer if a line fills it, and reads more.
    private func refill() throws {
        if start > 0 {
            if end > start { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: end - start) }
            end -= start
            base += Int64(start)
            start = 0
        }
        if buffer.count - end < chunkSize / 2 {
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
            bigger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: end)
            buffer.deallocate()
            buffer = bigger
        }
        let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
        if n == 0 { ended = true } else { end += n }
    }
}
