import CorpusFormat
import Foundation
import Testing
import TestSupport
@testable import TextCleaning
import WikiSource

@Suite struct CleanPipelineTests {
    static let spanish = "El río Ebro nace en Fontibre, en la comunidad autónoma de Cantabria, y desemboca en el mar "
        + "Mediterráneo por el delta que lleva su nombre, en la provincia de Tarragona. Es el río más caudaloso de "
        + "España y el segundo más largo de la península ibérica, tras el Tajo. Su cuenca es la más extensa del país. "
    static let english = "The Ebro is the longest river entirely within Spain. It flows through the city of Zaragoza "
        + "and into the Mediterranean Sea, forming a delta which is one of the largest wetland areas in the region. "

    func article(_ title: String, _ text: String) -> RawArticle {
        RawArticle(pageID: nil, title: title, revisionID: nil, timestamp: nil, source: "sample", format: .plain, text: text)
    }

    func run(_ articles: [RawArticle], threads: Int, tweak: (inout CleanPipeline.Settings) -> Void = { _ in })
        throws -> (bytes: [UInt8], stats: CleanStats) {
        var settings = CleanPipeline.Settings()
        settings.threads = threads
        tweak(&settings)
        let pipeline = CleanPipeline(settings)
        var out: [UInt8] = []
        try pipeline.run(BytesSource(articles.flatMap { $0.jsonLine() })) { out += $0 }
        return (out, pipeline.stats)
    }

    @Test func everyFilterCountsItsDrops() throws {
        var real: [RawArticle] = []
        try PlainSample.read(path: Repo.data("eswiki-plaintext-2000.jsonl.bz2"), limit: 1) { real.append($0) }
        let long = real[0].text
        let nearly = long.replacingOccurrences(of: "Reims", with: "Reims (Francia)")
        let articles = [
            article("Ebro", long), article("Corto", "Muy breve."), article("River", Self.english + Self.english + Self.english),
            article("Copia", long), article("Casi", nearly), article("Vacío", "[1]\u{200B}"),
        ]
        let (bytes, stats) = try run(articles, threads: 2)
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix(#"{"title":"Ebro","page_id":null,"text":"San Juan Bautista"#))
        #expect(stats.articlesIn == 6 && stats.articlesOut == 1)
        #expect(stats.dropped == [.tooShort: 1, .notSpanish: 1, .exactDuplicate: 1, .nearDuplicate: 1, .empty: 1])
        #expect(stats.droppedArticles.first { $0.title == "Casi" }?.duplicateOf == "Ebro")
        let json = try JSONSerialization.jsonObject(with: stats.json(parameters: ["min_chars": 500])) as? [String: Any]
        #expect(json?["articles_out"] as? Int == 1)
        #expect((json?["dropped"] as? [String: Int])?["near_duplicate"] == 1)
    }

    @Test func filtersCanBeTurnedOff() throws {
        let articles = [article("A", Self.spanish), article("B", Self.spanish), article("C", Self.english)]
        let (_, stats) = try run(articles, threads: 1) {
            $0.minChars = 0
            $0.minSpanishRatio = 0
            $0.dropExactDuplicates = false
            $0.nearDuplicateThreshold = 0
        }
        #expect(stats.articlesOut == 3)
    }

    @Test func outputDoesNotDependOnThreads() throws {
        var articles: [RawArticle] = []
        try PlainSample.read(path: Repo.data("eswiki-plaintext-2000.jsonl.bz2"), limit: 12) { articles.append($0) }
        let parser = DumpParser(try Input.open(Repo.data("eswiki-sample-60pages-pages-articles.xml.bz2")))
        while let page = try parser.next() { articles.append(page) }
        let one = try run(articles, threads: 1)
        let three = try run(articles, threads: 3)
        #expect(one.bytes == three.bytes)
        #expect(try one.stats.json(parameters: [:]) == three.stats.json(parameters: [:]))
        #expect(one.stats.articlesOut > 40)
    }

    /// A pipeline that replays the segment of a first part, then cleans the rest from where the
    /// first stopped, writes and counts what one pipeline over the whole input does: duplicates of
    /// articles before the break are still found.
    @Test func replayingASegmentContinuesExactly() throws {
        var articles: [RawArticle] = []
        let parser = DumpParser(try Input.open(Repo.data("eswiki-sample-60pages-pages-articles.xml.bz2")))
        while let page = try parser.next() { articles.append(page) }
        let copies = articles.prefix(20).map { var copy = $0; copy.title += " (copia)"; return copy }
        try PlainSample.read(path: Repo.data("eswiki-plaintext-2000.jsonl.bz2"), limit: 200) { articles.append($0) }
        articles += copies
        let input = articles.flatMap { $0.jsonLine() }
        let whole = try run(articles, threads: 2)
        #expect(whole.stats.dropped[.exactDuplicate] ?? 0 >= 15)

        let first = CleanPipeline(CleanPipeline.Settings())
        var out: [UInt8] = []
        var positions: [(CleanPipeline.InputPosition, [UInt8], Int)] = []
        try first.run(BytesSource(input), write: { out += $0 }) { position in
            positions.append((position, first.takeSegment(), out.count))
        }
        #expect(out == whole.bytes && positions.count > 1)
        // Break after the first batch (256 articles): replay its segment, then go on from there.
        let (position, segment, written) = positions[0]
        let second = CleanPipeline(CleanPipeline.Settings())
        try second.replay(segment, name: "segment")
        var rest: [UInt8] = []
        try second.run(BytesSource(Array(input[Int(position.offset)...])), from: position, write: { rest += $0 })
        #expect(Array(whole.bytes.prefix(written)) + rest == whole.bytes)
        #expect(try second.stats.json(parameters: [:]) == whole.stats.json(parameters: [:]))
    }

    @Test func aDamagedSegmentIsAnErrorNotATrap() throws {
        let pipeline = CleanPipeline(CleanPipeline.Settings())
        try pipeline.run(BytesSource(article("A", Self.spanish + Self.spanish).jsonLine() + article("B", Self.english).jsonLine())) { _ in }
        let segment = pipeline.takeSegment()
        for cut in [0, 3, 5, 13, 40, segment.count / 2, segment.count - 1] {
            #expect(throws: BadRecord.self) { try CleanPipeline(CleanPipeline.Settings()).replay(Array(segment.prefix(cut)), name: "s") }
        }
        var huge = segment
        huge.replaceSubrange(5..<13, with: [UInt8](repeating: 0xFF, count: 8))
        #expect(throws: BadRecord.self) { try CleanPipeline(CleanPipeline.Settings()).replay(huge, name: "s") }
        try CleanPipeline(CleanPipeline.Settings()).replay(segment, name: "s")
    }

    /// Two remembered articles share a band with a third similar to both: the older one is named.
    @Test func aNearDuplicateNamesTheOldestSimilarArticle() {
        var near = NearDuplicates(threshold: 0.8)
        let a = [UInt32](repeating: 1, count: 64)
        var b = a, c = a
        for k in 40...58 { b[k] = 2 }
        for k in 40...48 { c[k] = 2 }
        #expect(near.earlier(a, index: 0) == nil)
        #expect(near.earlier(b, index: 1) == nil)
        #expect(near.earlier(c, index: 2) == 0)
        #expect(near.earlier([UInt32](repeating: 3, count: 64), index: 3) == nil)
    }

    /// Two full chunks of remembered articles: near copies are found in both, and the index holds
    /// at most 400 bytes an article (the dictionary-keyed one held ~610; docs/text.md).
    @Test func theNearDuplicateIndexIsCompactAcrossChunks() {
        var near = NearDuplicates(threshold: 0.8, chunkSlots: 256)
        var state: UInt64 = 7
        func signature() -> [UInt32] {
            (0..<NearDuplicates.hashes).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt32(truncatingIfNeeded: state >> 32)
            }
        }
        let count = 2 * near.chunkSlots
        var probes: [Int: [UInt32]] = [:]
        for index in 0..<count {
            let s = signature()
            if [3, near.chunkSlots + 5, count - 1].contains(index) { probes[index] = s }
            #expect(near.earlier(s, index: index) == nil)
        }
        for (index, s) in probes.sorted(by: { $0.key < $1.key }) {
            var copy = s
            for k in 0..<8 { copy[k * 8] ^= 1 }
            #expect(near.earlier(copy, index: count + index) == index)
        }
        #expect(near.allocatedBytes <= 400 * count)
    }

    @Test func aBadRecordIsNamedByItsLine() throws {
        let good = article("A", Self.spanish).jsonLine()
        let pipeline = CleanPipeline(CleanPipeline.Settings())
        #expect {
            try pipeline.run(BytesSource(good + Array("\n{\"title\": \"B\"}\n".utf8), name: "raw.jsonl")) { _ in }
        } throws: { error in
            guard let bad = error as? BadRecord, bad.file == "raw.jsonl", bad.line == 3 else { return false }
            return bad.reason.contains("format")
        }
    }

    @Test func languageScores() {
        #expect(LanguageCheck.score(Self.spanish).leads && LanguageCheck.score(Self.spanish).ratio > 0.3)
        #expect(!LanguageCheck.score(Self.english).leads)
        let portuguese = "O rio Ebro é o maior rio da Espanha em volume de água. Nasce na Cantábria e desagua no mar "
            + "Mediterrâneo, formando um delta que é uma das maiores zonas húmidas da região."
        #expect(!LanguageCheck.score(portuguese).leads)
    }
}
