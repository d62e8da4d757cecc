import Digests
import Foundation

/// The name of an artifact: the lowercase hex SHA-256 of its bytes.
public struct ArtifactHash: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let hex: String

    /// Accepts exactly 64 lowercase or uppercase hex digits.
    public init?(_ text: String) {
        let lower = text.lowercased()
        guard lower.utf8.count == 64, lower.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) })
        else { return nil }
        hex = lower
    }

    init(digest: [UInt8]) {
        hex = digest.map { String(format: "%02x", $0) }.joined()
    }

    public var description: String { hex }
    public var short: String { String(hex.prefix(12)) }
    public static func < (a: ArtifactHash, b: ArtifactHash) -> Bool { a.hex < b.hex }

    public static func of(_ data: some DataProtocol) -> ArtifactHash {
        ArtifactHash(digest: Digester.sha256(data))
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let hash = ArtifactHash(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "not a SHA-256 hex digest: \(text)"))
        }
        self = hash
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}

/// SHA-256 over a stream of chunks, so artifacts of any size are hashed without loading them.
public struct StreamingHasher {
    private var hasher = Digester(.sha256)
    public private(set) var byteCount: Int64 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
        byteCount += Int64(bytes.count)
    }

    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    public func finalize() -> ArtifactHash { ArtifactHash(digest: hasher.finalize()) }
}

public enum FileHashing {
    static let chunkSize = 1 << 20

    /// Hashes a file by streaming it in 1 MiB chunks; returns the hash and the byte count.
    public static func hash(fileAt path: String) throws -> (ArtifactHash, Int64) {
        var hasher = StreamingHasher()
        try forEachChunk(ofFileAt: path) { hasher.update($0) }
        return (hasher.finalize(), hasher.byteCount)
    }

    /// Reads a file from start to end in 1 MiB chunks, never holding more than one.
    public static func forEachChunk(ofFileAt path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw StoreError.io(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, chunkSize)
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError.io(path: path, operation: "read", errno: errno)
            }
            if n == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }
}
