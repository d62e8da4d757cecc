import Foundation
import MiniStore
import PipelineTestSupport
import TestSupport
import Testing
import WikiSource
import WikiTestSupport

/// A long `extract` or `clean` killed with SIGKILL at about 60 % goes on after its last checkpoint
/// and ends with the bytes of an uninterrupted run; the output does not depend on the thread
/// count or on the dump's index.
@Suite(.serialized) struct ResumeTests {
    /// 8 copies of the bundled 60-page dump (distinct titles and ids), 10 pages a stream: 6.5 MB
    /// of XML in 50 streams, with Wikimedia's names for the dump and its index.
    static let dumpName = "big-pages-articles-multistream.xml.bz2"
    static let indexName = "big-pages-articles-multistream-index.txt.bz2"
    static let built = dump(copies: 8)
    /// Half as big, for `clean` (slower per byte than `extract`): 236 articles.
    static let small = dump(copies: 4)

    static func dump(copies: Int) -> (dump: [UInt8], index: [UInt8], xml: String) {
        let source = try! Input.open(Repo.data("eswiki-sample-60pages-pages-articles.xml.bz2"))
        var xml = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try! chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { break }
            xml += chunk[0..<n]
        }
        return try! MultistreamDump.build(fromXML: String(decoding: xml, as: UTF8.self), copies: copies, pagesPerStream: 10)
    }

    static let extract = #"{"source": "dump", "dump_location": "\#(dumpName)"}"#
    static let checkpointEvery = ["MINILLM_CHECKPOINT_BYTES": "65536"]

    func project(index: Bool = true, small: Bool = false) throws -> StageProject {
        let harness = try StageProject.text(extract: Self.extract)
        let built = small ? Self.small : Self.built
        _ = FileManager.default.createFile(atPath: harness.dir.file("pipeline/" + Self.dumpName), contents: Data(built.dump))
        if index {
            _ = FileManager.default.createFile(atPath: harness.dir.file("pipeline/" + Self.indexName), contents: Data(built.index))
        }
        return harness
    }

    func corpus(_ result: ProcessResult) -> String? {
        (result.json?["outputs"] as? [String: String])?["corpus"]
    }

    func partialSize(_ harness: StageProject) -> Int64 {
        let dir = harness.dir.file("store/partial")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.compactMap { try? Store.stat(dir + "/" + $0).size }.max() ?? 0
    }

    @Test func theCorpusIsTheSameForAnyThreadCountWithOrWithoutIndex() throws {
        var hashes = Set<String>()
        var last: (StageProject, String)?
        for (threads, index) in [("1", false), ("2", true), ("3", true), ("3", false)] {
            let harness = try project(index: index)
            let run = try harness.startStage("extract", environment: ["MINILLM_THREADS": threads]).wait()
            #expect(run.status == 0, "\(run.stderr)")
            hashes.insert(corpus(run) ?? "none")
            #expect(run.stderr.contains(index ? "48 streams of pages from the index" : "streams found by scanning"), "\(run.stderr)")
            last = (harness, corpus(run) ?? "none")
        }
        #expect(hashes.count == 1)
        let (harness, hash) = try #require(last)
        let articles = try harness.store.jsonLines(try #require(ArtifactHash(hash)))
        #expect(articles.count == 8 * 59)
        #expect(Set(articles.compactMap { $0["title"] as? String }).count == 8 * 59)
    }

    @Test func killedExtractResumesAfterItsLastCheckpoint() throws {
        let whole = try project()
        let uninterrupted = try whole.startStage("extract").wait()
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")
        let expected = try #require(corpus(uninterrupted))
        let size = try Store.stat(whole.store.objectPath(try #require(ArtifactHash(expected)))).size

        let harness = try project()
        // One decoding thread keeps the run long enough to be caught at 60 %.
        let child = try harness.startStage("extract", environment: Self.checkpointEvery.merging(["MINILLM_THREADS": "1"]) { $1 })
        try #require(waitUntil { partialSize(harness) >= size * 6 / 10 }, "timed out waiting for 60 % of the corpus")
        child.kill(SIGKILL)
        _ = child.wait()
        let checkpointed = try harness.count("SELECT step FROM checkpoints WHERE name = 'extract-progress'")
        #expect(checkpointed > 8 * 59 / 3, "the last checkpoint is at article \(checkpointed)")

        let rerun = try harness.startStage("extract", environment: Self.checkpointEvery).wait()
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("resuming after \(checkpointed) articles"), "\(rerun.stderr)")
        #expect(corpus(rerun) == expected)
        #expect(partialSize(harness) == 0)
        #expect(try harness.count("SELECT count(*) FROM checkpoints") == 0)
    }

    /// The copies after the kill are still found to duplicate articles before it: the filters'
    /// state comes back from the checkpoint segments.
    @Test func killedCleanResumesWithItsFiltersState() throws {
        let whole = try project(small: true)
        #expect(try whole.startStage("extract").wait().status == 0)
        let uninterrupted = try whole.startStage("clean").wait()
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")
        let outputs = uninterrupted.json?["outputs"] as? [String: String]
        #expect(uninterrupted.stderr.contains(" of 236 articles kept"), "\(uninterrupted.stderr)")

        let harness = try project(small: true)
        #expect(try harness.startStage("extract").wait().status == 0)
        let every = ["MINILLM_CHECKPOINT_BYTES": "131072"]
        let child = try harness.startStage("clean", environment: every.merging(["MINILLM_THREADS": "1"]) { $1 })
        func checkpointed() -> Int64 {
            (try? harness.count("SELECT step FROM checkpoints WHERE name = 'clean-progress'")) ?? -1
        }
        try #require(waitUntil { checkpointed() >= 236 * 6 / 10 }, "timed out waiting for 60 % of the articles")
        child.kill(SIGKILL)
        _ = child.wait()
        let step = checkpointed()
        #expect(try harness.count("SELECT count(*) FROM checkpoints WHERE name LIKE 'clean-segment-%'") > 5)

        let rerun = try harness.startStage("clean", environment: every).wait()
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("resuming after \(step) articles"), "\(rerun.stderr)")
        #expect(rerun.json?["outputs"] as? [String: String] == outputs)
        #expect(try harness.count("SELECT count(*) FROM checkpoints WHERE cache_key IN (SELECT cache_key FROM runs WHERE stage = 'clean')") == 0)
    }
}
