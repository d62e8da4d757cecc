import Foundation
import Testing
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
}
