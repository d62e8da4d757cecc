import CorpusFormat
import Foundation

public final class FileSource: ByteSource {
    public let name: String
    private let fd: Int32

    /// `name` stands for the file in messages (a store object is better known by where it came from).
    public init(path: String, name: String? = nil) throws {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SourceError.io(path: name ?? path, operation: "open", errno: errno) }
        self.name = name ?? path
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

public enum Input {
    /// Opens a file, decompressing it when it starts with the bzip2 signature, whatever its
    /// name. With `readAhead` the reading and decompression run on their own thread. Other
    /// compressions, and a `.bz2` name on bytes that are not bzip2, are refused by name: read as
    /// text they would only give a puzzling parse error.
    public static func open(_ path: String, readAhead: Bool = false, name: String? = nil) throws -> ByteSource {
        let file = try FileSource(path: path, name: name)
        var magic = [UInt8](repeating: 0, count: 4)
        var n = 0
        while n < magic.count {
            let got = try magic.withUnsafeMutableBytes { try file.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[n...])) }
            if got == 0 { break }
            n += got
        }
        let head = Array(magic[0..<n])
        let isBzip2 = Bzip2Source.hasSignature(head[...])
        if let format = otherCompression(head) { throw SourceError.unsupportedCompression(file.name, format: format) }
        if !isBzip2 && file.name.hasSuffix(".bz2") { throw SourceError.notBzip2(file.name) }
        let raw = ConcatSource(BytesSource(head, name: file.name), file)
        let source: ByteSource = isBzip2 ? Bzip2Source(raw) : raw
        return readAhead ? ReadAheadSource(source) : source
    }

    private static func otherCompression(_ head: [UInt8]) -> String? {
        if head.starts(with: [0x1F, 0x8B]) { return "gzip" }
        if head.starts(with: [0xFD, 0x37, 0x7A, 0x58]) { return "xz" }
        if head.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) { return "zstd" }
        return nil
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
