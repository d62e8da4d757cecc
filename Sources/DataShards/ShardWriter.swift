import Foundation
import MiniStore
import Tokenizer

/// The tokens of one split on their way into a shard: documents appended as
/// `[BOS] text [EOS]`, in corpus order.
public struct ShardContent: Sendable {
    public var tokens: [TokenID] = []
    public var documentCount = 0
    public var textBytes = 0

    public init() {}

    public mutating func append(document ids: [TokenID], textBytes bytes: Int) {
        tokens.append(SpecialToken.bos.id)
        tokens += ids
        tokens.append(SpecialToken.eos.id)
        documentCount += 1
        textBytes += bytes
    }

    public mutating func append(_ other: ShardContent) {
        tokens += other.tokens
        documentCount += other.documentCount
        textBytes += other.textBytes
    }

    /// Writes the shard file's bytes to `sink` (an `ArtifactWriter`, a file): the header with its
    /// checksum, then the tokens narrowed to `tokenWidth` bytes. Two passes over the tokens,
    /// because the checksum sits in the header in front of them.
    public func write(tokenWidth: Int, tokenizer: ArtifactHash, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        var header = ShardHeader(tokenWidth: tokenWidth, tokenCount: tokens.count, documentCount: documentCount,
                                 textBytes: textBytes, tokenizer: tokenizer, checksum: [UInt8](repeating: 0, count: 32))
        var hasher = ChecksumAccumulator(header: header.encoded())
        try forEachChunk(tokenWidth) { hasher.update($0) }
        header.checksum = hasher.finish()
        try header.encoded().withUnsafeBytes { try sink($0) }
        try forEachChunk(tokenWidth, sink)
    }

    private func forEachChunk(_ width: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let chunk = 1 << 16
        var buffer: [UInt8] = []
        var start = 0
        while start < tokens.count {
            let end = min(start + chunk, tokens.count)
            buffer.removeAll(keepingCapacity: true)
            Self.appendNarrowed(tokens[start..<end], width: width, to: &buffer)
            try buffer.withUnsafeBytes { try body($0) }
            start = end
        }
    }

    /// The tokens as a shard stores them: little-endian, `width` (2 or 4) bytes each.
    static func appendNarrowed(_ ids: some Collection<TokenID>, width: Int, to out: inout [UInt8]) {
        out.reserveCapacity(out.count + ids.count * width)
        for id in ids {
            let value = UInt32(bitPattern: id)
            if width == 2 {
                withUnsafeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian) { out += $0 }
            } else {
                withUnsafeBytes(of: value.littleEndian) { out += $0 }
            }
        }
    }
}
