import Digests
import Foundation
import MiniStore

/// The 128-byte header of a token shard (all integers little-endian):
///
///     0   magic "MLLMSHRD"          40  tokenizer: SHA-256 of its tokenizer.json (32 bytes)
///     8   format version (u32) = 1  72  checksum: SHA-256 of the header with this field
///     12  token width in bytes (u32)      zeroed, followed by the tokens (32 bytes)
///     16  token count (u64)         104 reserved, zero (24 bytes)
///     24  document count (u64)
///     32  UTF-8 bytes of the documents' text (u64), for bits-per-byte
///
/// Then `token count` tokens of `token width` bytes (2 when the vocabulary fits in 16 bits).
public struct ShardHeader: Equatable, Sendable {
    public static let magic = Array("MLLMSHRD".utf8)
    public static let version: UInt32 = 1
    public static let size = 128
    static let checksumRange = 72..<104

    public var tokenWidth: Int
    public var tokenCount: Int
    public var documentCount: Int
    public var textBytes: Int
    public var tokenizer: ArtifactHash
    public var checksum: [UInt8]

    public static func tokenWidth(vocabularySize: Int) -> Int { vocabularySize <= 1 << 16 ? 2 : 4 }

    public var fileSize: Int { Self.size + tokenCount * tokenWidth }

    func encoded() -> [UInt8] {
        var bytes = Self.magic
        func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        put(Self.version)
        put(UInt32(tokenWidth))
        put(UInt64(tokenCount))
        put(UInt64(documentCount))
        put(UInt64(textBytes))
        bytes += tokenizer.rawBytes
        bytes += checksum
        bytes += [UInt8](repeating: 0, count: Self.size - bytes.count)
        return bytes
    }

    /// Reads and checks a header: magic, version, width and the file size it implies.
    static func decode(_ p: UnsafeRawBufferPointer, fileSize: Int, path: String) throws -> ShardHeader {
        guard fileSize >= size else { throw ShardError.sizeMismatch(path: path, expected: size, actual: fileSize) }
        guard Array(p[0..<8]) == magic else {
            throw ShardError.notAShard(path: path, magic: String(decoding: p[0..<8].map { $0 < 0x20 || $0 > 0x7E ? UInt8(ascii: "?") : $0 }, as: UTF8.self))
        }
        func get<T: FixedWidthInteger>(_ offset: Int, _ type: T.Type) -> T {
            T(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: T.self))
        }
        let version = get(8, UInt32.self)
        guard version == Self.version else { throw ShardError.unsupportedVersion(path: path, version: version) }
        let width = get(12, UInt32.self)
        guard width == 2 || width == 4 else { throw ShardError.badTokenWidth(path: path, width: width) }
        let count = get(16, UInt64.self)
        guard count <= UInt64(Int.max / 8) else { throw ShardError.sizeMismatch(path: path, expected: Int.max, actual: fileSize) }
        let header = ShardHeader(
            tokenWidth: Int(width), tokenCount: Int(count), documentCount: Int(get(24, UInt64.self)),
            textBytes: Int(get(32, UInt64.self)), tokenizer: ArtifactHash(rawBytes: Array(p[40..<72])),
            checksum: Array(p[checksumRange]))
        guard header.fileSize == fileSize else {
            throw ShardError.sizeMismatch(path: path, expected: header.fileSize, actual: fileSize)
        }
        return header
    }

}

/// SHA-256 over the header (checksum field zeroed) and then the token bytes.
struct ChecksumAccumulator {
    private var hasher = Digester(.sha256)

    init(header: [UInt8]) {
        var zeroed = header
        for i in ShardHeader.checksumRange { zeroed[i] = 0 }
        hasher.update(data: zeroed)
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }

    func finish() -> [UInt8] { Array(hasher.finalize()) }
}

extension ArtifactHash {
    var rawBytes: [UInt8] {
        var bytes = [UInt8]()
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            bytes.append(UInt8(Self.nibble(high) << 4 | Self.nibble(low)))
        }
        return bytes
    }

    init(rawBytes: [UInt8]) {
        self.init(rawBytes.map { String(format: "%02x", $0) }.joined())!
    }

    private static func nibble(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : c - 87 }
}
