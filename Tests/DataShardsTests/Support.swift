import Foundation
@testable import DataShards
import MiniStore
import TestSupport
import Tokenizer

enum Support {
    static let articles = try! Corpus.read(path: Repo.articles)

    static let tokenizer = try! Tokenizer.train(.bpe, documents: articles.map(\.text), vocabularySize: 600)
    static let tokenizerHash = ArtifactHash.of(tokenizer.huggingFaceJSON())

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
