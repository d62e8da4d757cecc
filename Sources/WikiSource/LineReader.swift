import Foundation

/// Splits a byte stream into lines (without the `\n`). A line may be any length; memory is the
/// longest line plus one read chunk.
public final class LineReader {
    private let source: ByteSource
    private var buffer: [UInt8] = []
    private var start = 0
    private var ended = false
    private let chunkSize: Int
    public private(set) var lineNumber = 0

    public init(_ source: ByteSource, chunkSize: Int = 1 << 20) {
        self.source = source
        self.chunkSize = chunkSize
    }

    /// Calls `body` with the next line, or returns false at the end. The bytes are valid only during the call.
    public func next<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R? {
        var scanFrom = start
        while true {
            let found: Int? = buffer.withUnsafeBufferPointer { all in
                guard scanFrom < all.count else { return nil }
                let p = memchr(all.baseAddress! + scanFrom, 0x0A, all.count - scanFrom)
                return p.map { UnsafeRawPointer($0) - UnsafeRawPointer(all.baseAddress!) }
            }
            if let end = found {
                lineNumber += 1
                let result = try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
                start = end + 1
                return result
            }
            if ended {
                guard start < buffer.count else { return nil }
                lineNumber += 1
                let result = try buffer.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start...])) }
                start = buffer.count
                return result
            }
            scanFrom = buffer.count
            if start > 0 {
                buffer.removeSubrange(0..<start)
                scanFrom -= start
                start = 0
            }
            let old = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: chunkSize))
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[old...])) }
            buffer.removeSubrange((old + n)...)
            if n == 0 { ended = true }
        }
    }
}
