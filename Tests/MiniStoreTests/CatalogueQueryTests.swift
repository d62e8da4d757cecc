import Foundation
import Testing
import TestSupport
@testable import MiniStore

/// The named queries callers use instead of SQL, on a small hand-made history:
/// `a` imports a file and outputs `raw`; `b` turns `raw` into `clean`; `c` turns `clean` into
/// `model` (twice: a failed run, then a succeeded one).
@Suite struct CatalogueQueryTests {
    let dir = TemporaryDirectory("minillm-queries")
    let store: Store
    let file, raw, clean, model: ArtifactHash
    let runA, runB, runCFailed, runC: Int64

    init() throws {
        store = try Store(at: dir.path)
        let catalogue = store.catalogue
        dir.write("input.txt", "external")
        file = try store.importFile(at: dir.file("input.txt"), kind: "external:a.source", mediaType: "text/plain")
        try catalogue.cacheFileHash(path: dir.file("input.txt"), size: 8, mtimeNs: 1, hash: file)
        raw = try store.put(Data("raw".utf8), kind: "raw", mediaType: "text/plain")
        clean = try store.put(Data("clean".utf8), kind: "clean", mediaType: "text/plain")
        model = try store.put(Data("model".utf8), kind: "model", mediaType: "text/plain")
        let key = { (s: String) in ArtifactHash.of(Data(s.utf8)).hex }
        runA = try catalogue.beginRun(stage: "a", cacheKey: key("a"), stageVersion: 1, parameters: "{}", inputs: ["source": file])
        try catalogue.finishRun(runA, outputs: ["out": raw])
        runB = try catalogue.beginRun(stage: "b", cacheKey: key("b"), stageVersion: 1, parameters: "{}", inputs: ["in": raw])
        try catalogue.finishRun(runB, outputs: ["out": clean])
        runCFailed = try catalogue.beginRun(stage: "c", cacheKey: key("c0"), stageVersion: 1, parameters: "{}", inputs: ["in": clean])
        try catalogue.failRun(runCFailed, error: "boom")
        runC = try catalogue.beginRun(stage: "c", cacheKey: key("c"), stageVersion: 1, parameters: "{}", inputs: ["in": clean])
        try catalogue.addMetrics(run: runC, step: 1, [("headline_x", 1), ("headline%y", 2), ("loss", 3)])
        try catalogue.addMetrics(run: runC, step: 2, [("headline_x", 4)])
        try catalogue.finishRun(runC, outputs: ["out": model])
    }

    @Test func runsByStageAndOrder() throws {
        let catalogue = store.catalogue
        #expect(try catalogue.latestRun(stage: "c")?.id == runC)
        #expect(try catalogue.latestRun(stage: "zzz") == nil)
        #expect(try catalogue.latestSucceededRun(stage: "c", before: runC) == nil)
        #expect(try catalogue.latestSucceededRun(stage: "b", before: runC)?.id == runB)
        #expect(try catalogue.runsProducing(clean).map(\.id) == [runB])
        #expect(try catalogue.runsConsuming(clean).map(\.id) == [runC, runCFailed])
        #expect(try catalogue.succeededRunsInLineage(of: model).map(\.id) == [runC, runB, runA])
    }

    @Test func lineageAndExternalFiles() throws {
        let ancestors = try store.catalogue.ancestors(of: model)
        #expect(ancestors == [AncestorRecord(ancestor: clean, viaStage: "c", depth: 1),
                              AncestorRecord(ancestor: raw, viaStage: "b", depth: 2),
                              AncestorRecord(ancestor: file, viaStage: "a", depth: 3)])
        let files = try store.catalogue.externalFiles(amongAncestorsOf: model)
        #expect(files.map(\.hash) == [file] && files.map(\.path) == [dir.file("input.txt")])
        #expect(try store.catalogue.externalFiles(amongAncestorsOf: file).isEmpty)
    }

    @Test func listingSaysWhichOutputMadeEachArtifact() throws {
        // Oldest first, by creation time then hash: these four share a millisecond or two.
        let all = try store.catalogue.listArtifacts()
        #expect(Set(all.map(\.record.hash)) == [file, raw, clean, model] && all.count == 4)
        let madeBy = Dictionary(uniqueKeysWithValues: all.map { ($0.record.hash, $0.madeBy ?? "-") })
        #expect(madeBy == [file: "-", raw: "a/out", clean: "b/out", model: "c/out"])
        #expect(try store.catalogue.listArtifacts(kind: "clean").map(\.record.hash) == [clean])
    }

    /// The prefix is matched literally: `_` and `%` are not wildcards.
    @Test func latestMetricsByPrefix() throws {
        let all = try store.catalogue.latestMetrics(run: runC)
        #expect(all.map(\.name) == ["headline%y", "headline_x", "loss"] && all.map(\.value) == [2, 4, 3])
        #expect(try store.catalogue.latestMetrics(run: runC, prefix: "headline_").map(\.name) == ["headline_x"])
    }

    @Test func reapingMarksOnlyUnlockedRunningRunsAbandoned() throws {
        let catalogue = store.catalogue
        let deadKey = ArtifactHash.of(Data("dead".utf8)).hex, aliveKey = ArtifactHash.of(Data("alive".utf8)).hex
        let dead = try catalogue.beginRun(stage: "d", cacheKey: deadKey, stageVersion: 1, parameters: "{}", inputs: [:])
        let alive = try catalogue.beginRun(stage: "e", cacheKey: aliveKey, stageVersion: 1, parameters: "{}", inputs: [:])
        #expect(try catalogue.runningCacheKeys() == [deadKey, aliveKey])
        // flock locks belong to the open file, so this holder blocks the reaper's own attempt.
        let lock = try #require(try FileLock.acquire(store.lockPath(forKey: aliveKey), wait: false))
        defer { lock.release() }
        let reaped = try store.reapAbandonedRuns()
        #expect(reaped.map(\.cacheKey) == [deadKey] && reaped.map(\.count) == [1])
        #expect(try catalogue.run(id: dead)?.status == .abandoned)
        #expect(try catalogue.run(id: alive)?.status == .running)
        #expect(try catalogue.runningCacheKeys() == [aliveKey])
    }
}
