import Foundation
@testable import DataShards
import MiniStore
import Tokenizer

enum Support {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static let articles = try! Corpus.read(path: repositoryRoot + "/Tests/Fixtures/eswiki-articles.jsonl")

    static let tokenizer = try! Tokenizer.train(.bpe, documents: articles.map(\.text), vocabularySize: 600)
    static let tokenizerHash = ArtifactHash.of(tokenizer.huggingFaceJSON())

    /// A fresh directory, removed when `body` returns.
    static func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("minillm-shards-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    static func writeShard(_ content: ShardContent, width: Int = 2, to path: String) throws {
        var bytes = Data()
        try content.write(tokenWidth: width, tokenizer: tokenizerHash) { bytes.append(contentsOf: $0) }
        try bytes.write(to: URL(fileURLWithPath: path))
    }

    /// A shard of the fixture articles, every one of them, in order.
    static func sampleContent() -> ShardContent {
        var content = ShardContent()
        for (article, ids) in zip(articles, tokenizer.encode(articles.map(\.text), threads: 2)) {
            content.append(document: ids, textBytes: article.text.utf8.count)
        }
        return content
    }
}
