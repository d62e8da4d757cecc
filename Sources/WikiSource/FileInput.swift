import CorpusFormat
import Foundation

public final class FileSource: ByteSource {
    public let name: String
    private let fd: Int32

    /// `name` stands for the file in messages (a store object is better known by where it came from).
    public init(path: String, name: String? = nil, offset: Int64 = 0) throws {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SourceError.io(path: name ?? path, operation: "open", errno: errno) }
        self.name = name ?? path
        if offset > 0 && lseek(fd, off_t(offset), SEEK_SET) < 0 {
            let code = errno
            close(fd)
            throw SourceError.io(path: self.name, operation: "seek", errno: code)
        }
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
        let (head, isBzip2) = try sniff(file)
        let raw = ConcatSource(BytesSource(head, name: file.name), file)
        let source: ByteSource = isBzip2 ? Bzip2Source(raw) : raw
        return readAhead ? ReadAheadSource(source) : source
    }

    /// The first bytes of the file and whether they are bzip2's signature.
    private static func sniff(_ file: FileSource) throws -> (head: [UInt8], isBzip2: Bool) {
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
        return (head, isBzip2)
    }

    /// Opens a file for a long streaming read that can be resumed: bzip2 data is decompressed on
    /// `threads` workers (`ParallelBzip2Source`, with the dump's stream `index` when known), plain
    /// bytes are read ahead on a thread of their own. `resume` starts at a restart point that an
    /// earlier reader of the same file gave, delivering the bytes from `offset` on.
    public static func openResumable(_ path: String, name: String? = nil, threads: Int, index: [Int64]? = nil,
                                     resume: (point: RestartPoint, offset: Int64)? = nil) throws -> RestartableSource {
        if try sniff(try FileSource(path: path, name: name)).isBzip2 {
            return try ParallelBzip2Source(path: path, name: name, threads: threads, index: index, from: resume?.point,
                                           skip: resume.map { $0.offset - $0.point.outputOffset } ?? 0)
        }
        return PlainRestartable(ReadAheadSource(try FileSource(path: path, name: name, offset: resume?.offset ?? 0)))
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

/// Where reading can start again so as to deliver a stream's bytes from some offset on: a place
/// in the file and the offset of the output there (a stream start of a bzip2 file; the offset
/// itself in a plain file).
public struct RestartPoint: Codable, Equatable, Sendable {
    public var fileOffset: Int64
    public var outputOffset: Int64

    public init(fileOffset: Int64, outputOffset: Int64) {
        self.fileOffset = fileOffset
        self.outputOffset = outputOffset
    }
}

/// A source that can say where to start again to get its bytes from a given offset on.
public protocol RestartableSource: ByteSource {
    /// A restart point at or before output `offset`; offsets asked for never decrease.
    func restartPoint(before offset: Int64) -> RestartPoint
}

/// A plain file: any offset is a restart point.
final class PlainRestartable: RestartableSource {
    private let source: ByteSource
    var name: String { source.name }

    init(_ source: ByteSource) { self.source = source }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { try source.read(into: buffer) }

    func restartPoint(before offset: Int64) -> RestartPoint { RestartPoint(fileOffset: offset, outputOffset: offset) }
}
