import Foundation
import MiniStore
import PipelineTestSupport
import TestSupport
import Testing
import WikiTestSupport

/// kill -9 in the middle of a download, then the same command again: it completes, fetches no
/// finished batch (or byte) twice, and builds the same artifact as an uninterrupted run.
@Suite(.serialized) struct KillTests {
    func corpus(_ result: ProcessResult) -> String? {
        (result.json?["outputs"] as? [String: String])?["corpus"]
    }

    @Test func killedAPIDownloadResumesWithoutRefetching() throws {
        var hanging: FixtureServer? = try FixtureServer(faults: ["content:3=hangafter:200"])
        let port = hanging!.port
        let endpoint = hanging!.endpoint
        let extract = """
            {"source": "api", "api_endpoint": "\(endpoint)", "api_articles": 16, "api_batch_size": 4, "api_min_chars": 0,
             "api_contact": "tests@example.org", "http_stall_seconds": 60, "api_min_interval_seconds": 0}
            """
        let harness = try StageProject.text(extract: extract)
        let child = try harness.startStage("extract")
        try #require(waitUntil { hanging!.requests("content").count >= 3 }, "timed out waiting for the third content request")
        child.kill(SIGKILL)
        _ = child.wait()
        let before = hanging!.requests("content")
        hanging = nil

        let server = try FixtureServer(port: port)
        let rerun = try harness.startStage("extract").wait()
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let after = server.requests("content")
        func titles(_ requests: [[String: Any]]) -> Set<String> {
            Set(requests.flatMap { (($0["params"] as? [String: String])?["titles"] ?? "").split(separator: "|").map(String.init) })
        }
        // Batches 1 and 2 finished before the kill and are not asked for again; batch 3 is.
        #expect(titles(Array(before.prefix(2))).isDisjoint(with: titles(after)))
        #expect(titles([before[2]]).isSubset(of: titles(after)))
        // Only the fourth batch still needs a selection, continuing the generator's sequence.
        #expect(server.requests("random").map { ($0["params"] as? [String: String])?["rncontinue"] != nil } == [true])

        let whole = try StageProject.text(extract: extract)
        let uninterrupted = try whole.startStage("extract").wait()
        #expect(uninterrupted.status == 0)
        #expect(corpus(rerun) != nil && corpus(rerun) == corpus(uninterrupted))
    }

    @Test func killedDumpDownloadResumesWithRange() throws {
        let files = TemporaryDirectory("dump-files")
        let name = "eswiki-sample-60pages-pages-articles.xml.bz2"
        try FileManager.default.copyItem(atPath: Repo.data(name), toPath: files.file(name))
        var hanging: FixtureServer? = try FixtureServer(faults: ["file:1=hangafter:100000"], files: files.path)
        let port = hanging!.port
        let extract = #"{"source": "dump", "dump_location": "\#(hanging!.fileURL(name))", "http_stall_seconds": 60}"#
        let harness = try StageProject.text(extract: extract)
        let child = try harness.startStage("extract")
        let downloads = harness.dir.file("store/downloads")
        func partialSize() -> Int64 {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: downloads)) ?? []
            return names.filter { $0.hasSuffix(".part") }.compactMap { try? Store.stat(downloads + "/" + $0).size }.first ?? 0
        }
        try #require(waitUntil { partialSize() == 100_000 }, "timed out waiting for 100,000 bytes on disk")
        child.kill(SIGKILL)
        _ = child.wait()
        hanging = nil

        let server = try FixtureServer(files: files.path, port: port)
        let rerun = try harness.startStage("extract").wait()
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(server.requests("file").map { $0["range"] as? String } == ["bytes=100000-"])

        let whole = try StageProject.text(extract: extract)
        let uninterrupted = try whole.startStage("extract").wait()
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")
        #expect(corpus(rerun) != nil && corpus(rerun) == corpus(uninterrupted))
    }
}
