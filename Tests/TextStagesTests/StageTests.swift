import Foundation
import MiniPipeline
import MiniStore
import PipelineTestSupport
import StoreTestSupport
import TestSupport
import Testing
import WikiSource
import WikiTestSupport
@testable import TextStages

extension StageProject {
    static let textRegistry = StageRegistry([ExtractStage(), CleanStage()])

    /// extract → clean, with the bundled data linked in; arguments are the stages' parameter objects.
    static func text(extract: String, clean: String = "{}") throws -> StageProject {
        try StageProject("minillm-text", registry: textRegistry,
                         pipeline: #"{"stages": {"extract": \#(extract), "clean": \#(clean)}}"#, linkData: true)
    }
}

@Suite struct StageTests {
    static let dump = "data/eswiki-sample-60pages-pages-articles.xml.bz2"

    @Test func bundledDumpRunsThroughBothStages() throws {
        let harness = try StageProject.text(extract: #"{"sample_file": "\#(Self.dump)"}"#)
        let results = try harness.build()
        let raw = try harness.store.jsonLines(try #require(results["extract"]?.outputs["corpus"]))
        #expect(raw.count == 59)
        #expect(raw.allSatisfy { $0["source"] as? String == "sample" && $0["format"] as? String == "wikitext" })
        #expect(raw.map { Array($0.keys).sorted() }.allSatisfy {
            $0 == ["format", "page_id", "revision_id", "source", "text", "timestamp", "title"]
        })
        let clean = try harness.store.jsonLines(try #require(results["clean"]?.outputs["corpus"]))
        #expect(clean.count > 30 && clean.count < 59)
        #expect(clean.allSatisfy { ($0["text"] as? String)?.count ?? 0 >= 500 && $0["title"] is String && $0["page_id"] is Int })
        let stats = try #require(try JSONSerialization.jsonObject(with: harness.store.data(results["clean"]!.outputs["stats"]!)) as? [String: Any])
        #expect(stats["articles_in"] as? Int == 59 && stats["articles_out"] as? Int == clean.count)
        let dropped = try #require(stats["dropped"] as? [String: Int])
        #expect(dropped.values.reduce(0, +) == 59 - clean.count)
        #expect((stats["dropped_articles"] as? [Any])?.count == 59 - clean.count)
        #expect((stats["top_characters"] as? [[String: Any]])?.first?["char"] as? String == " ")
        // The catalogue holds the figures too.
        let run = try #require(try harness.store.catalogue.latestSucceededRun(stage: "clean"))
        let metrics = try harness.store.catalogue.metrics(run: run.id)
        #expect(metrics.contains { $0.name == "articles_out" && Int($0.value) == clean.count })
        // A second run is fresh, and a second store builds the same bytes.
        #expect(try harness.build()["clean"]?.outcome == .fresh)
        let again = try StageProject.text(extract: #"{"sample_file": "\#(Self.dump)"}"#).build()
        #expect(again["clean"]?.outputs == results["clean"]?.outputs)
        #expect(again["extract"]?.outputs == results["extract"]?.outputs)
    }

    @Test func theDefaultSampleResolvesFromTheRepositoryRoot() throws {
        let harness = try StageProject.text(extract: #"{"limit": 25}"#, clean: #"{"near_duplicate_threshold": 0}"#)
        let results = try harness.build()
        let raw = try harness.store.jsonLines(try #require(results["extract"]?.outputs["corpus"]))
        #expect(raw.count == 25)
        #expect(raw.first?["title"] as? String == "Juan Bautista de La Salle")
        #expect(raw.allSatisfy { $0["page_id"] is NSNull && $0["format"] as? String == "plain" })
        let clean = try harness.store.jsonLines(try #require(results["clean"]?.outputs["corpus"]))
        #expect(!clean.isEmpty)
        #expect(clean.allSatisfy { !(($0["text"] as? String) ?? "").contains("\u{200B}") })
    }

    @Test func localDumpSourceAndItsErrors() throws {
        let harness = try StageProject.text(extract: #"{"source": "dump", "dump_location": "data/eswiki-2010-head-10pages.xml.bz2"}"#)
        let raw = try harness.store.jsonLines(try #require(try harness.build(until: "extract")["extract"]?.outputs["corpus"]))
        #expect(raw.count == 9 && raw.allSatisfy { $0["source"] as? String == "dump" })
        let missing = try StageProject.text(extract: #"{"source": "dump"}"#)
        #expect { try missing.build() } throws: { "\($0)".contains("dump_location") }
        let device = try StageProject.text(extract: #"{"source": "dump", "dump_location": "/dev/null"}"#)
        #expect { try device.build() } throws: { "\($0)".contains("/dev/null is a character device") }
        let empty = try StageProject.text(extract: #"{"source": "dump", "dump_location": "empty.xml"}"#)
        empty.dir.write("pipeline/empty.xml", "")
        #expect { try empty.build() } throws: { "\($0)".contains("empty.xml: the file is empty") }
    }

    @Test func cleaningThatKeepsNothingFailsWithTheCounts() throws {
        let harness = try StageProject.text(extract: #"{"sample_file": "\#(Self.dump)"}"#, clean: #"{"min_chars": 10000000}"#)
        #expect { try harness.build() } throws: { "\($0)".contains("too_short 59") }
    }

    @Test func apiSourceThroughTheStage() throws {
        let server = try FixtureServer(faults: ["content:2=status:503/0", "random:1=drop"])
        let harness = try StageProject.text(extract: """
            {"source": "api", "api_endpoint": "\(server.endpoint)", "api_articles": 8, "api_batch_size": 4,
             "api_contact": "tests@example.org", "http_backoff_seconds": 0.01, "api_min_interval_seconds": 0}
            """)
        let results = try harness.build()
        let raw = try harness.store.jsonLines(try #require(results["extract"]?.outputs["corpus"]))
        #expect(raw.count == 8 && raw.allSatisfy { $0["source"] as? String == "api" && $0["revision_id"] is Int })
        let checkpoints = try harness.store.catalogue.checkpoints(cacheKey: try #require(try harness.store.catalogue.latestSucceededRun(stage: "extract")).cacheKey)
        #expect(checkpoints.filter { $0.name.hasPrefix("api-batch-") }.count >= 2)
        let metrics = try harness.store.catalogue.metrics(run: try #require(try harness.store.catalogue.latestSucceededRun(stage: "extract")).id)
        #expect(metrics.contains { $0.name == "api_requests" && Int($0.value) == server.requests().count })
    }

    /// The `titles` output, saved as a file beside another pipeline file, fetches the same corpus
    /// from a server whose random generator starts elsewhere.
    @Test func aRunsTitlesRebuildItsCorpusElsewhere() throws {
        let extract = #"{"source": "api", "api_endpoint": "ENDPOINT", "api_articles": 8, "api_batch_size": 4, "api_min_interval_seconds": 0"#
        let server = try FixtureServer()
        let first = try StageProject.text(extract: extract.replacingOccurrences(of: "ENDPOINT", with: server.endpoint) + "}")
        let outputs = try #require(try first.build(until: "extract")["extract"]?.outputs)
        let titles = String(decoding: try first.store.data(try #require(outputs["titles"])), as: UTF8.self)
        #expect(titles.split(separator: "\n").count == 8)
        let elsewhere = try FixtureServer(randomStart: 23)
        let second = try StageProject.text(extract: extract.replacingOccurrences(of: "ENDPOINT", with: elsewhere.endpoint)
            + #", "api_titles_file": "lists/titles.txt"}"#)
        second.dir.write("pipeline/lists/titles.txt", titles)
        #expect(try second.build(until: "extract")["extract"]?.outputs == outputs)
        #expect(elsewhere.requests("random").isEmpty)
        // The list is part of the cache key: another list is another run.
        second.dir.write("pipeline/lists/titles.txt", String(titles.split(separator: "\n").dropFirst().map { $0 + "\n" }.joined()))
        let fewer = try #require(try second.build(until: "extract")["extract"])
        #expect(fewer.outcome == .built && fewer.outputs["corpus"] != outputs["corpus"])
    }
}
