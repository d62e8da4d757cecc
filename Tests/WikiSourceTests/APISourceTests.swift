import CorpusFormat
import Foundation
import MiniStore
import StoreTestSupport
import TestSupport
import Testing
@testable import WikiSource
import WikiTestSupport

@Suite struct APISourceTests {
    func fetch(_ server: FixtureServer, store: Store, key: String = "k", articles: Int = 12, batch: Int = 5,
               waits: WaitLog = WaitLog(), attempts: Int = 4) throws -> APIRun {
        try APIRun(server, store: store, key: key, articles: articles, batch: batch, waits: waits, attempts: attempts)
    }

    @Test func fetchesRandomBatchesPolitely() throws {
        let server = try FixtureServer(contentPageLimit: 3)
        let dir = TemporaryDirectory()
        let run = try fetch(server, store: try dir.makeStore())
        #expect(run.articles.count == 12)
        #expect(Set(run.articles.map(\.title)).count == 12)
        #expect(run.articles.allSatisfy { $0.source == "api" && $0.format == .wikitext && $0.text.count >= 500 })
        #expect(run.articles.allSatisfy { $0.pageID != nil && $0.revisionID != nil && $0.timestamp != nil })
        let requests = server.requests()
        #expect(requests.count > 4)
        for request in requests {
            let params = request["params"] as? [String: String] ?? [:]
            #expect(params["maxlag"] == "5" && params["formatversion"] == "2" && params["format"] == "json")
            #expect((request["user_agent"] as? String)?.hasPrefix("minillm/0.1 (tests@example.org) libcurl/") == true)
            #expect((request["accept_encoding"] as? String)?.contains("gzip") == true)
        }
        for request in server.requests("content") {
            let params = request["params"] as? [String: String] ?? [:]
            #expect(params["rvprop"] == "content|ids|timestamp|sha1" && params["rvslots"] == "main")
            #expect((params["titles"]?.split(separator: "|").count ?? 99) <= 50)
        }
        // Continuation: more content requests than batches, and each batch continues the random sequence.
        #expect(server.requests("content").count > run.fetcher.report.batches)
        let tokens = server.requests("random").map { ($0["params"] as? [String: String])?["rncontinue"] }
        #expect(tokens.first! == nil && tokens.dropFirst().allSatisfy { $0 != nil })
    }

    @Test(arguments: ["content:1=drop", "content:2=status:503/0", "random:2=status:429/0", "content:1=maxlag:0",
                      "content:1=stall:5", "content:2=badjson", "content:1=longlength", "content:1=shortlength",
                      "random:1=status:502"])
    func transientFaultEndsInTheSameResult(fault: String) throws {
        let dir = TemporaryDirectory()
        let clean = try fetch(try FixtureServer(), store: try dir.makeStore(), key: "clean")
        let server = try FixtureServer(faults: [fault])
        let faulty = try fetch(server, store: try dir.makeStore(), key: "faulty")
        #expect(faulty.hash == clean.hash)
        let kind = String(fault.prefix { $0 != ":" })
        #expect(server.requests(kind).filter { $0["fault"] is String }.count == 1)
    }

    @Test func retryAfterIsHonoured() throws {
        let dir = TemporaryDirectory()
        let waits = WaitLog()
        let server = try FixtureServer(faults: ["content:1=status:429/7", "content:2=maxlag:3", "random:2=status:503/2"])
        _ = try fetch(server, store: try dir.makeStore(), waits: waits)
        #expect(waits.waits.sorted() == [2, 3, 7])
    }

    @Test func retryAfterReallyWaits() throws {
        let waits = WaitLog()
        let server = try FixtureServer(faults: ["random:1=status:503/1"])
        var settings = MediaWikiAPI.Settings(endpoint: server.endpoint, contact: "")
        settings.retry = waits.policy(record: false)
        let start = Date()
        _ = try MediaWikiAPI(settings).randomTitles(count: 3, from: nil)
        #expect(Date().timeIntervalSince(start) >= 1)
        #expect(waits.waits == [1])
    }

    @Test func permanentErrorsStopAtOnceWithTheirCause() throws {
        let dir = TemporaryDirectory()
        let store = try dir.makeStore()
        let refused = try FixtureServer(faults: ["content:*=apierror:badvalue"])
        #expect(throws: SourceError.self) { try fetch(refused, store: store, key: "a") }
        #expect(refused.requests("content").count == 1)
        do { _ = try fetch(refused, store: store, key: "a2") } catch {
            #expect("\(error)".contains("badvalue"))
        }
        let missing = try FixtureServer(faults: ["random:*=status:404"])
        #expect { try fetch(missing, store: store, key: "b") } throws: { error in
            guard case SourceError.http(_, 404, _) = error else { return false }
            return true
        }
        #expect(missing.requests("random").count == 1)
    }

    @Test func persistentFailuresGiveUpNamingTheLastCause() throws {
        let dir = TemporaryDirectory()
        let server = try FixtureServer(faults: ["content:*=status:503/0"])
        #expect { try fetch(server, store: try dir.makeStore(), attempts: 3) } throws: { error in
            guard case SourceError.gaveUp(_, 3, let last) = error else { return false }
            return last.contains("503")
        }
        #expect(server.requests("content").count == 3)
        let slow = try FixtureServer(faults: ["random:1=status:429/3600"])
        #expect { try fetch(slow, store: try dir.makeStore()) } throws: { error in
            guard case SourceError.retryAfterTooLong = error else { return false }
            return true
        }
    }

    @Test func corruptRevisionIsRefused() throws {
        let dir = TemporaryDirectory()
        let server = try FixtureServer(faults: ["content:1=badsha1"])
        #expect { try fetch(server, store: try dir.makeStore()) } throws: { error in
            guard case SourceError.revisionChecksumMismatch = error else { return false }
            return true
        }
    }

    @Test func aFailedRunResumesAfterItsLastFinishedBatch() throws {
        let dir = TemporaryDirectory()
        let uninterrupted = try fetch(try FixtureServer(), store: try dir.makeStore(), key: "whole", articles: 20)
        let store = try dir.makeStore()
        let broken = try FixtureServer(faults: ["content:3=apierror:readonly-forever"])
        #expect(throws: SourceError.self) { try fetch(broken, store: store, key: "resumed", articles: 20) }
        let server = try FixtureServer()
        let resumed = try fetch(server, store: store, key: "resumed", articles: 20)
        #expect(resumed.hash == uninterrupted.hash)
        #expect(resumed.fetcher.report.batchesResumed == 2)
        let refetched = server.requests("content").flatMap { (($0["params"] as? [String: String])?["titles"] ?? "").split(separator: "|") }
        let firstTwoBatches = Set(uninterrupted.articles.prefix(5).map(\.title))
        #expect(Set(refetched.map(String.init)).isDisjoint(with: firstTwoBatches))
        #expect(server.requests("random").allSatisfy { ($0["params"] as? [String: String])?["rncontinue"] != nil })
    }
}
