import CorpusFormat
import Foundation
import MiniStore
import StoreTestSupport
import TestSupport
import Testing
@testable import WikiSource
import WikiTestSupport

/// What a real MediaWiki does that a well-behaved client must survive without hammering it: a
/// page too large to ever fit an answer, a wiki smaller than asked for, its main page in
/// namespace 0, and a corpus that must be fetched again elsewhere.
@Suite struct APIRealWikiTests {
    @Test func aContinuationThatRepeatsStopsNamingThePage() throws {
        // "Ombudsman de los Niños" (48,502 bytes) comes first in the generator's order.
        let server = try FixtureServer(maxResultBytes: 20_000)
        let dir = TemporaryDirectory()
        #expect { try APIRun(server, store: try dir.makeStore()) } throws: { error in
            guard case SourceError.continuationRepeats(_, let continuation, let page) = error else { return false }
            return page == "Ombudsman de los Niños" && continuation == "continue=||&rvcontinue=6826036|68260361"
                && "\(error)".contains("$wgAPIMaxResultSize")
        }
        // The first answer stops at the page, the second stops there again: no third request.
        let content = server.requests("content").map { ($0["params"] as? [String: String])?["rvcontinue"] }
        #expect(content == [nil, "6826036|68260361"])
        #expect(server.requests().count == 4)
    }

    @Test func requestsArePacedAndCounted() throws {
        let server = try FixtureServer(contentPageLimit: 3)
        let dir = TemporaryDirectory()
        let run = try APIRun(server, store: try dir.makeStore()) { settings, _ in settings.minInterval = 0.2 }
        let times = server.requests().compactMap { $0["time"] as? Double }
        #expect(times.count == run.api.requests && times.count >= 7)
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 >= 0.2 }, "gaps between requests: \(gaps)")
    }

    @Test func theRequestBudgetStopsARunRetriesIncluded() throws {
        let dir = TemporaryDirectory()
        let server = try FixtureServer()
        #expect { try APIRun(server, store: try dir.makeStore()) { settings, _ in settings.maxRequests = 3 } } throws: { error in
            guard case SourceError.requestBudgetExceeded(_, 3) = error else { return false }
            return "\(error)".contains("api_max_requests")
        }
        #expect(server.requests().count == 3)
        let failing = try FixtureServer(faults: ["content:*=status:503/0"])
        #expect { try APIRun(failing, store: try dir.makeStore(), attempts: 100) { settings, _ in settings.maxRequests = 5 } } throws: { error in
            guard case SourceError.requestBudgetExceeded(_, 5) = error else { return false }
            return true
        }
        #expect(failing.requests().count == 5)
    }

    @Test func aSmallWikiStopsAfterAFewBatchesOfRepeats() throws {
        // 25 pages, one of them shorter than 500 characters; 100 articles asked for in batches of 10.
        let server = try FixtureServer(pages: 25)
        let dir = TemporaryDirectory()
        let lines = LineLog()
        #expect { try APIRun(server, store: try dir.makeStore(), articles: 100, batch: 10, lines: lines) } throws: { error in
            guard case SourceError.wikiExhausted(100, 24, 500, 3, 25) = error else { return false }
            return "\(error)".contains("the wiki seems to have only 24 articles of ≥ 500 characters")
        }
        // Three batches bring all 25 titles, three more only repeats; no title is fetched twice.
        #expect(server.requests("random").count == 6)
        #expect(server.requests("content").count == 3)
        #expect(server.contentTitles().count == 25 && Set(server.contentTitles()).count == 25)
        #expect(lines.lines.last == "batch 6: 10 titles drawn, 0 not drawn before, 0 usable; 24/100 distinct articles")
        #expect(lines.lines[2] == "batch 3: 10 titles drawn, 5 not drawn before, 5 usable; 24/100 distinct articles")
    }

    @Test func theMainPageIsNoArticle() throws {
        let server = try FixtureServer(mainPage: "Burke")
        let dir = TemporaryDirectory()
        let run = try APIRun(server, store: try dir.makeStore())
        #expect(run.articles.count == 12 && !run.articles.contains { $0.title == "Burke" })
        #expect(!server.contentTitles().contains("Burke"))
        #expect(server.requests("siteinfo").count == 1)
        #expect(server.requests().first?["kind"] as? String == "siteinfo")
    }

    @Test func aRunsTitleListFetchesTheSameBytesAgain() throws {
        let dir = TemporaryDirectory()
        let store = try dir.makeStore("first")
        let first = try APIRun(try FixtureServer(), store: store, articles: 20)
        let titles = String(decoding: try store.data(first.output.titles), as: UTF8.self)
        #expect(titles == first.articles.map { $0.title + "\n" }.joined())
        // A fresh run starts at the server's random point: another corpus.
        let other = try APIRun(try FixtureServer(randomStart: 17), store: try dir.makeStore("other"), articles: 20)
        #expect(other.hash != first.hash)
        // The list, on another machine: the same bytes, and no random draws.
        dir.write("titles.txt", titles)
        let server = try FixtureServer(randomStart: 31)
        let again = try APIRun(server, store: try dir.makeStore("again"), batch: 7) { _, plan in
            plan.titles = try TitleList.read(path: dir.file("titles.txt"), name: "titles.txt")
        }
        #expect(again.hash == first.hash && again.output.titles == first.output.titles)
        #expect(server.requests().allSatisfy { $0["kind"] as? String == "content" })
        #expect(server.requests("content").count == 3)
    }

    @Test(arguments: [(Array(" \n\n".utf8), "no titles in it"),
                      (Array("Burke\nA|B\n".utf8), "line 2: \"|\" cannot be part of a page title"),
                      ([0x41, 0xFF, 0x0A], "not UTF-8 text")])
    func aBadTitleListIsRefused(bytes: [UInt8], reason: String) throws {
        let dir = TemporaryDirectory()
        FileManager.default.createFile(atPath: dir.file("titles.txt"), contents: Data(bytes))
        #expect(throws: SourceError.badTitleList("titles.txt", reason: reason)) {
            try TitleList.read(path: dir.file("titles.txt"), name: "titles.txt")
        }
    }

    @Test func aTitleListKeepsTheFirstOfEachTitleInOrder() throws {
        let dir = TemporaryDirectory()
        dir.write("titles.txt", " Burke \r\n\nAlchenstorf\nBurke\n")
        #expect(try TitleList.read(path: dir.file("titles.txt"), name: "titles.txt") == ["Burke", "Alchenstorf"])
    }
}
