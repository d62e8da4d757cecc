import Foundation
import MiniStore
import Tokenizer

/// The shards of one corpus, by split: written by the shard stage, opened by the trainer and
/// the evaluator.
public final class ShardSet: Sendable {
    public static let shardKind = "token-shard"
    public static let shardMediaType = "application/vnd.minillm.token-shard"
    public static let manifestKind = "shard-manifest"

    public let manifest: ShardManifest
    private let readers: [DocumentSplit.Part: ShardReader]

    /// Opens every shard of a manifest artifact, each verified by the store and then by its own
    /// header, size, tokenizer and checksum.
    public init(store: Store, manifest hash: ArtifactHash) throws {
        manifest = try ShardManifest.decode(try store.data(hash))
        var readers: [DocumentSplit.Part: ShardReader] = [:]
        for part in DocumentSplit.Part.allCases {
            let path = try store.ensureIntact(try manifest.part(part).shard)
            readers[part] = try ShardReader(path: path, expectedTokenizer: manifest.tokenizer)
        }
        self.readers = readers
    }

    public func tokens(_ part: DocumentSplit.Part) -> ShardReader { readers[part]! }

    /// The tokenizer the shards were made with (to decode, or to count bytes).
    public func tokenizer(in store: Store) throws -> Tokenizer {
        try Tokenizer(huggingFaceJSON: try store.data(manifest.tokenizer))
    }

    /// Splits and encodes a corpus (`threads` encoders, output in corpus order) and writes one
    /// shard per split and the manifest into the store, recording the shards as its members.
    @discardableResult
    public static func build(documents: [CorpusDocument], tokenizer: Tokenizer, tokenizerHash: ArtifactHash,
                             split: DocumentSplit, store: Store, threads: Int = 2) throws -> ArtifactHash {
        try build(tokenizer: tokenizer, tokenizerHash: tokenizerHash, split: split, store: store, threads: threads) { try $0(documents) }
    }

    /// The same from the corpus file at `path`, streamed (`Corpus.stream`): memory is one batch
    /// of documents and their tokens, whatever the corpus size.
    @discardableResult
    public static func build(corpus path: String, tokenizer: Tokenizer, tokenizerHash: ArtifactHash,
                             split: DocumentSplit, store: Store, threads: Int = 2) throws -> ArtifactHash {
        try build(tokenizer: tokenizer, tokenizerHash: tokenizerHash, split: split, store: store, threads: threads) {
            try Corpus.stream(path: path, $0)
        }
    }

    /// `batches` hands every batch of the corpus, in order, to the closure it is given.
    private static func build(tokenizer: Tokenizer, tokenizerHash: ArtifactHash, split: DocumentSplit, store: Store, threads: Int,
                              batches: (([CorpusDocument]) throws -> Void) throws -> Void) throws -> ArtifactHash {
        let width = ShardHeader.tokenWidth(vocabularySize: tokenizer.vocabularySize)
        var spools: [DocumentSplit.Part: ShardSpool] = [:]
        for part in DocumentSplit.Part.allCases { spools[part] = try ShardSpool(store: store, part: part.rawValue, width: width) }
        try batches { documents in
            let encoded = tokenizer.encode(documents.map(\.text), threads: threads)
            for (document, ids) in zip(documents, encoded) {
                try spools[split.part(title: document.title)]!.append(document: ids, textBytes: document.text.utf8.count)
            }
        }
        var parts: [String: ShardManifest.Part] = [:]
        var members: [(role: String, hash: ArtifactHash)] = []
        for part in DocumentSplit.Part.allCases {
            let spool = spools[part]!
            let hash = try spool.finish(store: store, tokenizer: tokenizerHash)
            parts[part.rawValue] = .init(shard: hash, documents: spool.documents, tokens: spool.tokens, textBytes: spool.textBytes)
            members.append((part.rawValue, hash))
        }
        let manifest = ShardManifest(format: ShardManifest.formatName, version: ShardManifest.formatVersion,
                                     tokenizer: tokenizerHash, vocabularySize: tokenizer.vocabularySize,
                                     tokenWidth: width, split: split, parts: parts)
        let hash = try store.write(kind: manifestKind, mediaType: "application/json") { try $0.write(manifest.data()) }
        try store.catalogue.recordMembers(of: hash, members)
        return hash
    }
}
