import Foundation
import MiniStore
import Tokenizer

/// One split's shard written as the documents come, in bounded memory: the tokens go to a
/// scratch file in the store's `tmp/`, and `finish` writes the header (whose checksum covers the
/// tokens, so it is known only at the end) and then the tokens into the store. The shard's bytes
/// are those `ShardContent.write` gives for the same documents.
final class ShardSpool {
    private let path: String
    private let fd: Int32
    private let width: Int
    private var buffer: [UInt8] = []
    private(set) var tokens = 0
    private(set) var documents = 0
    private(set) var textBytes = 0

    init(store: Store, part: String, width: Int) throws {
        path = "\(store.root)/tmp/\(getpid())-\(UInt64.random(in: 0...UInt64.max))-\(part).tokens"
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError.io(path: path, operation: "create", errno: errno) }
        self.width = width
    }

    deinit {
        close(fd)
        unlink(path)
    }

    func append(document ids: [TokenID], textBytes bytes: Int) throws {
        ShardContent.appendNarrowed(CollectionOfOne(SpecialToken.bos.id), width: width, to: &buffer)
        ShardContent.appendNarrowed(ids, width: width, to: &buffer)
        ShardContent.appendNarrowed(CollectionOfOne(SpecialToken.eos.id), width: width, to: &buffer)
        tokens += ids.count + 2
        documents += 1
        textBytes += bytes
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        try buffer.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw StoreError.io(path: path, operation: "write", errno: errno) }
                done += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes the shard into the store.
    func finish(store: Store, tokenizer: ArtifactHash) throws -> ArtifactHash {
        try flush()
        var header = ShardHeader(tokenWidth: width, tokenCount: tokens, documentCount: documents, textBytes: textBytes,
                                 tokenizer: tokenizer, checksum: [UInt8](repeating: 0, count: 32))
        var checksum = ChecksumAccumulator(header: header.encoded())
        try forEachChunk { checksum.update($0) }
        header.checksum = checksum.finish()
        return try store.write(kind: ShardSet.shardKind, mediaType: ShardSet.shardMediaType) { writer in
            try writer.write(header.encoded())
            try forEachChunk { try writer.write($0) }
        }
    }

    private func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var offset: off_t = 0
        while true {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw StoreError.io(path: path, operation: "read", errno: errno) }
            if n == 0 { return }
            try chunk.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            offset += off_t(n)
        }
    }
}
