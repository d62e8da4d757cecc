import Foundation
import Synchronization
import Testing
import TestSupport
@testable import MiniStore

@Suite struct StoreTests {
    let dir = TemporaryDirectory("minillm-store")

    @Test func hashMatchesKnownSHA256Vectors() throws {
        #expect(ArtifactHash.of(Data("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ArtifactHash.of(Data()).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(ArtifactHash("not a hash") == nil)
        #expect(ArtifactHash(String(repeating: "A", count: 64))?.hex == String(repeating: "a", count: 64))
    }

    @Test func streamingWriteOfManyChunksEqualsOneShotHash() throws {
        let store = try Store(at: dir.path)
        var all = Data()
        let hash = try store.write(kind: "test", mediaType: "application/octet-stream") { writer in
            for i in 0..<300 {
                let chunk = Data((0..<9_999).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) })
                all += chunk
                try writer.write(chunk)
            }
            try writer.write(Data(count: 3 << 20))
            all += Data(count: 3 << 20)
        }
        #expect(hash == ArtifactHash.of(all))
        #expect(try FileHashing.hash(fileAt: store.objectPath(hash)) == (hash, Int64(all.count)))
        #expect(try store.data(hash) == all)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("tmp")).isEmpty)
    }

    @Test func failedWriteLeavesNothing() throws {
        struct Boom: Error {}
        let store = try Store(at: dir.path)
        #expect(throws: Boom.self) {
            try store.write(kind: "test", mediaType: "text/plain") { writer in
                try writer.write("partial")
                throw Boom()
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("tmp")).isEmpty)
        #expect(try store.catalogue.presentArtifacts().isEmpty)
    }

    @Test func corruptObjectIsDetectedAndQuarantined() throws {
        let store = try Store(at: dir.path)
        let hash = try store.put(Data("hola mundo".utf8), kind: "test", mediaType: "text/plain")
        let path = store.objectPath(hash)
        chmod(path, 0o644)
        try Data("hola mundO".utf8).write(to: URL(fileURLWithPath: path))
        #expect(store.check(hash) == .corrupt)
        #expect(FileManager.default.fileExists(atPath: path), "check changes nothing")
        #expect(throws: StoreError.self) { try store.ensureIntact(hash) }
        #expect(!FileManager.default.fileExists(atPath: path), "moved to corrupt/")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("corrupt")).count == 1)
        #expect(store.check(hash) == .missing)
        // Writing the same bytes again restores it.
        #expect(try store.put(Data("hola mundo".utf8), kind: "test", mediaType: "text/plain") == hash)
        #expect(store.check(hash, full: true) == .intact)
    }

    @Test func importCopiesOnceAndNoticesChanges() throws {
        let store = try Store(at: dir.path)
        dir.write("outside.txt", "uno")
        let first = try store.importFile(at: dir.file("outside.txt"), kind: "external", mediaType: "text/plain")
        #expect(first == ArtifactHash.of(Data("uno".utf8)))
        #expect(try store.importFile(at: dir.file("outside.txt"), kind: "external", mediaType: "text/plain") == first)
        usleep(10_000)
        dir.write("outside.txt", "dos")
        #expect(try store.importFile(at: dir.file("outside.txt"), kind: "external", mediaType: "text/plain")
                == ArtifactHash.of(Data("dos".utf8)))
    }

    @Test func missingStoreIsAClearError() {
        #expect(throws: StoreError.storeMissing(path: dir.file("nope"))) { try Store(at: dir.file("nope")) }
    }

    @Test func exclusiveAccessExcludesOtherOpeners() throws {
        let shared = try Store(at: dir.path)
        #expect(throws: StoreError.self) { try Store(at: dir.path, access: .exclusive, wait: false) }
        _ = shared
    }

    /// A resumable write killed (here: failed) leaves `partial/<key>-<name>`; only the files
    /// whose checkpoint still exists can be resumed, the others are what `gc` removes.
    @Test func partialFilesWithoutTheirCheckpointAreStale() throws {
        let store = try Store(at: dir.path)
        struct Stop: Error {}
        for name in ["k1-extract", "k2-extract", "k1-clean"] {
            #expect(throws: Stop.self) {
                try store.writeResumable(name: name, keeping: WrittenPrefix?.none, kind: "test", mediaType: "text/plain") { writer in
                    try writer.write(Data("half".utf8))
                    throw Stop()
                }
            }
        }
        let progress = try store.put(Data("progress".utf8), kind: "progress", mediaType: "application/json")
        try store.catalogue.putCheckpoint(cacheKey: "k1", name: "extract", hash: progress, step: 1)
        #expect(try store.stalePartialFiles() == [dir.path + "/partial/k1-clean", dir.path + "/partial/k2-extract"])
        try store.catalogue.deleteCheckpoint(cacheKey: "k1", name: "extract")
        #expect(try store.stalePartialFiles().count == 3)
    }
}

@Suite struct CatalogueTests {
    let dir = TemporaryDirectory("minillm-catalogue")

    @Test func migrationsApplyOnceAcrossOpens() throws {
        _ = try Catalogue(path: dir.file("c.sqlite"))
        let again = try Catalogue(path: dir.file("c.sqlite"))
        #expect(try again.db.query("PRAGMA user_version").first?["user_version"]?.int == Int64(CatalogueSchema.latestVersion))
        #expect(try again.db.query("SELECT count(*) AS n FROM schema_migrations").first?["n"]?.int
                == Int64(CatalogueSchema.latestVersion))
        #expect(try again.db.query("PRAGMA journal_mode").first?["journal_mode"]?.string == "wal")
    }

    /// Two processes that open a new catalogue together both ask for write-ahead logging, and
    /// SQLite answers one of them "busy" without waiting (CI saw it); every opener must get through.
    @Test func manyConnectionsOpeningANewCatalogueTogetherAllSucceed() throws {
        for round in 0..<5 {
            let path = dir.file("c\(round).sqlite")
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                do { _ = try Catalogue(path: path) } catch { failures.withLock { $0.append("\(error)") } }
            }
            #expect(failures.withLock { $0 } == [])
        }
    }

    @Test func newerSchemaIsRefused() throws {
        let db = try SQLiteDatabase(path: dir.file("c.sqlite"))
        try db.execute("PRAGMA user_version = 99")
        #expect(throws: StoreError.schemaTooNew(found: 99, supported: CatalogueSchema.latestVersion)) {
            try Catalogue(path: dir.file("c.sqlite"))
        }
    }

    @Test func viewsShowCurrentOutputsAndLineage() throws {
        let store = try Store(at: dir.path)
        let catalogue = store.catalogue
        let raw = try store.put(Data("raw".utf8), kind: "raw", mediaType: "text/plain")
        let clean = try store.put(Data("clean".utf8), kind: "clean", mediaType: "text/plain")
        let model = try store.put(Data("model".utf8), kind: "model", mediaType: "text/plain")
        let key = { (s: String) in ArtifactHash.of(Data(s.utf8)).hex }
        let r1 = try catalogue.beginRun(stage: "a", cacheKey: key("a"), stageVersion: 1, parameters: "{}", inputs: [:])
        try catalogue.finishRun(r1, outputs: ["out": raw])
        let r2 = try catalogue.beginRun(stage: "b", cacheKey: key("b"), stageVersion: 1, parameters: "{}", inputs: ["in": raw])
        try catalogue.finishRun(r2, outputs: ["out": clean])
        let r3 = try catalogue.beginRun(stage: "c", cacheKey: key("c"), stageVersion: 1, parameters: "{}", inputs: ["in": clean])
        try catalogue.finishRun(r3, outputs: ["out": model])
        let failed = try catalogue.beginRun(stage: "c", cacheKey: key("c2"), stageVersion: 1, parameters: "{}", inputs: [:])
        try catalogue.failRun(failed, error: "boom")

        let current = try catalogue.db.query("SELECT stage, hash FROM current_outputs ORDER BY stage")
        #expect(current.map { $0["hash"]?.string } == [raw.hex, clean.hex, model.hex])
        let lineage = try catalogue.db.query("SELECT ancestor, via_stage, depth FROM lineage WHERE artifact = ? ORDER BY depth",
                                             [.text(model.hex)])
        #expect(lineage.map { $0["ancestor"]?.string } == [clean.hex, raw.hex])
        #expect(lineage.map { $0["via_stage"]?.string } == ["c", "b"])
        #expect(try catalogue.reachableHashes() == [raw, clean, model])
        #expect(try catalogue.resolve(prefix: String(model.hex.prefix(8))) == model)
        #expect(throws: StoreError.unknownHash("ffff0000")) { try catalogue.resolve(prefix: "ffff0000") }
    }
}

@Suite struct FileLockTests {
    @Test func secondHolderIsRefusedUntilRelease() throws {
        let dir = TemporaryDirectory("minillm-lock")
        let first = try #require(try FileLock.acquire(dir.file("x.lock")))
        #expect(try FileLock.acquire(dir.file("x.lock"), wait: false) == nil)
        #expect(FileLock.isHeld(dir.file("x.lock")))
        first.release()
        #expect(!FileLock.isHeld(dir.file("x.lock")))
        #expect(try FileLock.acquire(dir.file("x.lock"), wait: false) != nil)
    }
}

@Suite struct GarbageCollectionTests {
    @Test func checkpointsOfSupersededRunsAreCollectable() throws {
        let dir = TemporaryDirectory("minillm-gc")
        let store = try Store(at: dir.path)
        let catalogue = store.catalogue
        let key = { (s: String) in ArtifactHash.of(Data(s.utf8)).hex }
        let put = { (s: String) in try store.put(Data(s.utf8), kind: "test", mediaType: "text/plain") }
        let (old, oldCheckpoint, new, newCheckpoint, unfinished) = (try put("old"), try put("old-ckpt"), try put("new"),
                                                                     try put("new-ckpt"), try put("unfinished-ckpt"))
        for (name, output, checkpoint) in [("k1", old, oldCheckpoint), ("k2", new, newCheckpoint)] {
            let run = try catalogue.beginRun(stage: "train", cacheKey: key(name), stageVersion: 1, parameters: "{}", inputs: [:])
            try catalogue.putCheckpoint(cacheKey: key(name), name: "last", hash: checkpoint, step: 10)
            try catalogue.finishRun(run, outputs: ["model": output])
        }
        try catalogue.putCheckpoint(cacheKey: key("k3"), name: "last", hash: unfinished, step: 5)
        #expect(try catalogue.reachableHashes() == [new, newCheckpoint, unfinished])
    }
}
