/// A stream of bytes read in chunks: a file, a decompressor, a read-ahead thread.
public protocol ByteSource: AnyObject {
    /// Fills up to `buffer.count` bytes; returns 0 only at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// What the bytes are, for error messages.
    var name: String { get }
}

/// Bytes in memory as a source (tests, and bytes sniffed ahead of a file).
public final class BytesSource: ByteSource {
    public let name: String
    private let bytes: [UInt8]
    private var offset = 0

    public init(_ bytes: [UInt8], name: String = "memory") {
        self.bytes = bytes
        self.name = name
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - offset)
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
        offset += n
        return n
    }
}
