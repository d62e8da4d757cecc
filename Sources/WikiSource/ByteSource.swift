import Foundation

/// A stream of bytes read in chunks: a file, a decompressor, a read-ahead thread.
public protocol ByteSource: AnyObject {
    /// Fills up to `buffer.count` bytes; returns 0 only at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// What the bytes are, for error messages.
    var name: String { get }
}

public final class FileSource: ByteSource {
    public let name: String
    private let fd: Int32

    public init(path: String) throws {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SourceError.io(path: path, operation: "open", errno: errno) }
        name = path
    }

    deinit { close(fd) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw SourceError.io(path: name, operation: "read", errno: errno) }
        }
    }
}

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

public enum Input {
    /// Opens a file, decompressing it when it starts with the bzip2 signature, whatever its
    /// name. With `readAhead` the reading and decompression run on their own thread.
    public static func open(_ path: String, readAhead: Bool = false) throws -> ByteSource {
        let file = try FileSource(path: path)
        var magic = [UInt8](repeating: 0, count: 3)
        let n = try magic.withUnsafeMutableBytes { try file.read(into: $0) }
        let head = BytesSource(Array(magic[0..<n]), name: path)
        let raw = ConcatSource(head, file)
        let source: ByteSource = Bzip2Source.hasSignature(magic[0..<n]) ? Bzip2Source(raw) : raw
        return readAhead ? ReadAheadSource(source) : source
    }
}

/// Two sources one after the other (used to put back the bytes sniffed for the signature).
final class ConcatSource: ByteSource {
    private let first: ByteSource
    private let second: ByteSource
    private var firstDone = false
    var name: String { second.name }

    init(_ first: ByteSource, _ second: ByteSource) {
        self.first = first
        self.second = second
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if !firstDone {
            let n = try first.read(into: buffer)
            if n > 0 { return n }
            firstDone = true
        }
        return try second.read(into: buffer)
    }
}
