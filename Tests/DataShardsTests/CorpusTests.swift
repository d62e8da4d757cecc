import Foundation
import StoreTestSupport
import Testing
import TestSupport
@testable import DataShards

@Suite struct CorpusTests {
    @Test func linesAreArticlesAndExtraFieldsAreIgnored() throws {
        let data = Data(#"""
        {"title": "A", "text": "uno", "page_id": 7, "url": "x"}

        {"title": "B", "text": "dos"}
        """#.utf8)
        #expect(try Corpus.parse(data, source: "c.jsonl") == [
            CorpusDocument(title: "A", text: "uno", pageID: 7), CorpusDocument(title: "B", text: "dos"),
        ])
    }

    @Test func aBadLineIsReportedWithItsNumber() {
        let data = Data("{\"title\": \"A\", \"text\": \"uno\"}\n{\"title\": \"B\"}\n".utf8)
        #expect(throws: ShardError.badCorpusLine(source: "c.jsonl", line: 2, reason: "missing \"text\"")) {
            try Corpus.parse(data, source: "c.jsonl")
        }
        #expect(throws: ShardError.unreadable(path: "/nonexistent/corpus.jsonl")) { try Corpus.read(path: "/nonexistent/corpus.jsonl") }
    }

    /// Streamed in small batches, the corpus gives the same documents, the same errors (with the
    /// line number), and shards with the same bytes as from memory.
    @Test func streamingGivesWhatReadingWholeGives() throws {
        let whole = try Corpus.read(path: Repo.articles)
        for batchBytes in [1, 700, 5000, 1 << 20] {
            var streamed: [CorpusDocument] = []
            var batches = 0
            try Corpus.stream(path: Repo.articles, batchBytes: batchBytes) { streamed += $0; batches += 1 }
            #expect(streamed == whole)
            #expect(batchBytes >= 1 << 20 ? batches == 1 : batches > 1)
        }
        let dir = TemporaryDirectory()
        let bad = dir.file("bad.jsonl")
        let long = String(repeating: "palabra ", count: 20_000)
        _ = FileManager.default.createFile(atPath: bad, contents: Data(
            "{\"title\": \"A\", \"text\": \"\(long)\"}\n\n{\"title\": \"B\"}\n".utf8))
        #expect(throws: ShardError.badCorpusLine(source: bad, line: 3, reason: "missing \"text\"")) {
            try Corpus.stream(path: bad, batchBytes: 100) { _ in }
        }
        #expect(throws: ShardError.unreadable(path: "/nonexistent/corpus.jsonl")) { try Corpus.stream(path: "/nonexistent/corpus.jsonl") { _ in } }

        let split = try DocumentSplit(trainFraction: 0.7, validationFraction: 0.15)
        let a = try dir.makeStore("a"), b = try dir.makeStore("b")
        let inMemory = try ShardSet.build(documents: whole, tokenizer: Support.tokenizer, tokenizerHash: Support.tokenizerHash,
                                          split: split, store: a)
        let streamed = try ShardSet.build(corpus: Repo.articles, tokenizer: Support.tokenizer, tokenizerHash: Support.tokenizerHash,
                                          split: split, store: b, threads: 3)
        #expect(inMemory == streamed)
        #expect(try ShardSet(store: b, manifest: streamed).tokens(.train).count > 1000)
    }
}
