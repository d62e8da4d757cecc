import CoreSupport
import CorpusFormat
import Foundation
import TestSupport
import Testing
@testable import WikiSource
import WikiTestSupport

@Suite struct CorpusFormatTests {
    @Test func recordsRoundTripWithFixedKeyOrder() throws {
        let article = RawArticle(pageID: 42, title: "Año \"nuevo\"", revisionID: nil, timestamp: "2019-10-14T20:11:53Z",
                                 source: "api", format: .wikitext, text: "línea\n\tcon \\ y \u{1}")
        let line = article.jsonLine()
        #expect(String(decoding: line, as: UTF8.self) == """
        {"page_id":42,"title":"Año \\"nuevo\\"","revision_id":null,"timestamp":"2019-10-14T20:11:53Z","source":"api",\
        "format":"wikitext","text":"línea\\n\\tcon \\\\ y \\u0001"}\n
        """)
        let back = try line.dropLast().withUnsafeBufferPointer { try RawArticle(jsonLine: $0) }
        #expect(back == article)
    }

    @Test func readerNamesTheBadLine() throws {
        let dir = TemporaryDirectory()
        let good = RawArticle(pageID: nil, title: "A", revisionID: nil, timestamp: nil, source: "sample", format: .plain, text: "x")
        _ = FileManager.default.createFile(atPath: dir.file("c.jsonl"), contents: Data(good.jsonLine() + Array("{\"title\": [1]}\n".utf8)))
        let reader = try CorpusReader(path: dir.file("c.jsonl"))
        #expect(try reader.next() == good)
        #expect { _ = try reader.next() } throws: { error in
            guard let bad = error as? BadRecord else { return false }
            return bad.line == 2 && bad.reason.contains("nested")
        }
    }

    @Test func surrogatePairsAndEscapesParse() throws {
        let fields = try JSONText.parseFlatObject(Array(#"{"a":"\ud83d\ude00 \u00f1\/","b":-1.5,"c":true,"d":null}"#.utf8))
        #expect(fields["a"] == .string("😀 ñ/"))
        #expect(fields["b"] == .number(-1.5) && fields["c"] == .bool(true) && fields["d"] == .null)
    }

    @Test func bundledSampleReadsAsPlainArticles() throws {
        var titles: [String] = []
        try PlainSample.read(path: Repo.data("eswiki-plaintext-2000.jsonl.bz2"), limit: 3) { titles.append($0.title) }
        #expect(titles.count == 3)
        #expect(titles.first == "Juan Bautista de La Salle")
    }
}
