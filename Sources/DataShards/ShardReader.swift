import Foundation
import MiniStore
import Tokenizer

/// A token shard, memory-mapped read-only. Opening checks the header, the file size it implies,
/// the tokenizer (when one is expected) and the checksum, and refuses the shard on any mismatch.
public final class ShardReader: @unchecked Sendable {
    public let path: String
    public let header: ShardHeader
    private let mapping: UnsafeMutableRawPointer?
    private let mappedSize: Int
    private let tokens: UnsafeRawPointer

    public init(path: String, expectedTokenizer: ArtifactHash? = nil) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ShardError.unreadable(path: path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ShardError.unreadable(path: path) }
        let size = Int(info.st_size)
        guard size > 0, let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else {
            throw size == 0 ? ShardError.sizeMismatch(path: path, expected: ShardHeader.size, actual: 0) : ShardError.unreadable(path: path)
        }
        do {
            let header = try ShardHeader.decode(UnsafeRawBufferPointer(start: map, count: size), fileSize: size, path: path)
            if let expectedTokenizer, header.tokenizer != expectedTokenizer {
                throw ShardError.tokenizerMismatch(path: path, expected: expectedTokenizer.short, actual: header.tokenizer.short)
            }
            var checksum = ChecksumAccumulator(header: Array(UnsafeRawBufferPointer(start: map, count: ShardHeader.size)))
            checksum.update(UnsafeRawBufferPointer(start: map + ShardHeader.size, count: size - ShardHeader.size))
            guard checksum.finish() == header.checksum else { throw ShardError.checksumMismatch(path: path) }
            self.header = header
        } catch {
            munmap(map, size)
            throw error
        }
        self.path = path
        mapping = map
        mappedSize = size
        tokens = UnsafeRawPointer(map + ShardHeader.size)
    }

    deinit { munmap(mapping, mappedSize) }

    public var count: Int { header.tokenCount }

    public subscript(index: Int) -> TokenID {
        precondition(index >= 0 && index < count, "token index \(index) outside 0..<\(count)")
        return header.tokenWidth == 2
            ? TokenID(UInt16(littleEndian: tokens.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self)))
            : TokenID(bitPattern: UInt32(littleEndian: tokens.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
    }

    /// Copies tokens `start ..< start + n` into `destination`, widened to `TokenID`.
    public func copy(from start: Int, count n: Int, into destination: UnsafeMutablePointer<TokenID>) {
        precondition(start >= 0 && n >= 0 && start + n <= count, "tokens \(start)..<\(start + n) outside 0..<\(count)")
        if header.tokenWidth == 2 {
            let source = tokens.advanced(by: start * 2)
            for i in 0..<n { destination[i] = TokenID(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))) }
        } else {
            let source = tokens.advanced(by: start * 4)
            for i in 0..<n {
                destination[i] = TokenID(bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
            }
        }
    }

    public func tokens(_ range: Range<Int>) -> [TokenID] {
        [TokenID](unsafeUninitializedCapacity: range.count) { buffer, initialized in
            copy(from: range.lowerBound, count: range.count, into: buffer.baseAddress!)
            initialized = range.count
        }
    }

    /// The token range of each document, `[BOS]` through `[EOS]`, in order.
    public func documentRanges() -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(header.documentCount)
        var start = 0
        for i in 0..<count where self[i] == SpecialToken.eos.id {
            ranges.append(start..<(i + 1))
            start = i + 1
        }
        return ranges
    }
}
