import CoreSupport
import Foundation
import MiniStore

/// The `shards` artifact: which shard holds each split, and what they were made with.
/// Its members are also recorded in the catalogue under the roles `train`, `val` and `test`.
public struct ShardManifest: Codable, Equatable, Sendable {
    public static let formatName = "minillm-shards"
    public static let formatVersion = 1

    public struct Part: Codable, Equatable, Sendable {
        public var shard: ArtifactHash
        public var documents: Int
        public var tokens: Int
        public var textBytes: Int
    }

    public var format: String
    public var version: Int
    /// The hash of the tokenizer.json artifact every shard was encoded with.
    public var tokenizer: ArtifactHash
    public var vocabularySize: Int
    public var tokenWidth: Int
    public var split: DocumentSplit
    /// By split name: "train", "val", "test".
    public var parts: [String: Part]

    public func part(_ part: DocumentSplit.Part) throws -> Part {
        guard let entry = parts[part.rawValue] else { throw ShardError.badManifest("no \(part.rawValue) shard") }
        return entry
    }

    public func data() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return try! encoder.encode(self) + Data("\n".utf8)
    }

    public static func decode(_ data: Data) throws -> ShardManifest {
        let manifest: ShardManifest
        do {
            manifest = try JSONDecoder().decode(ShardManifest.self, from: data)
        } catch {
            throw ShardError.badManifest("not a shard manifest: \(MessageText.describe(decoding: error))")
        }
        guard manifest.format == formatName, manifest.version == formatVersion else {
            throw ShardError.badManifest("format \(manifest.format) version \(manifest.version); expected \(formatName) version \(formatVersion)")
        }
        return manifest
    }
}
