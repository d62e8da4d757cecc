import Foundation
import Testing
import TestSupport
@testable import MiniStore

/// Deleted and flipped objects, and the records that still point at them: what the store and
/// the catalogue's named queries say about them, and how they are forgotten.
@Suite struct DamageTests {
    let dir = TemporaryDirectory("minillm-damage")
    let store: Store
    let manifest, shardA, shardB, model, checkpoint: ArtifactHash
    let key = ArtifactHash.of(Data("train".utf8)).hex

    init() throws {
        store = try Store(at: dir.path)
        let put = { [store] (s: String) in try store.put(Data(s.utf8), kind: "test", mediaType: "text/plain") }
        (shardA, shardB, manifest, model, checkpoint) = (try put("a"), try put("b"), try put("manifest"), try put("model"),
                                                         try put("checkpoint"))
        try store.catalogue.recordMembers(of: manifest, [("a", shardA), ("b", shardB)])
        let run = try store.catalogue.beginRun(stage: "train", cacheKey: key, stageVersion: 1, parameters: "{}", inputs: [:])
        try store.catalogue.putCheckpoint(cacheKey: key, name: "last", hash: checkpoint, step: 3)
        try store.catalogue.finishRun(run, outputs: ["shards": manifest, "model": model])
    }

    func delete(_ hash: ArtifactHash) { unlink(store.objectPath(hash)) }

    func flip(_ hash: ArtifactHash) throws {
        let path = store.objectPath(hash)
        chmod(path, 0o644)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[0] ^= 1
        try bytes.write(to: URL(fileURLWithPath: path))
    }

    @Test func aManifestIsDamagedWhenAMemberIs() throws {
        #expect(store.damage(manifest).isEmpty)
        delete(shardB)
        try flip(shardA)
        let damaged = store.damage(manifest)
        #expect(damaged.map(\.hash) == [shardA, shardB] && damaged.map(\.state) == [.corrupt, .missing])
        #expect(throws: StoreError.objectMissing(shardB)) { try store.ensureIntactWithMembers(manifest) }
        #expect(throws: (any Error).self) { try store.ensureIntactWithMembers(shardA) }
    }

    @Test func liveReferencesNameWhatHoldsEachObject() throws {
        let references = try store.catalogue.liveReferences()
        let short = String(key.prefix(12)), manifestShort = String(manifest.hex.prefix(12))
        #expect(Set(references.map(\.referrer)) == ["output train/shards", "output train/model", "checkpoint last of key \(short)",
                                                    "member a of \(manifestShort)", "member b of \(manifestShort)"])
        #expect(try store.catalogue.reachableHashes() == [manifest, shardA, shardB, model, checkpoint])
    }

    @Test func forgettingDeletedObjectsDropsTheCheckpointsOnThem() throws {
        delete(checkpoint)
        delete(shardA)
        let (objects, checkpoints) = try store.forgetAbsentObjects()
        #expect(Set(objects.map(\.hash)) == [checkpoint, shardA])
        #expect(checkpoints == [KeyedCheckpoint(cacheKey: key, checkpoint: CheckpointRecord(name: "last", hash: checkpoint, step: 3))])
        #expect(try store.catalogue.checkpoints(cacheKey: key).isEmpty)
        #expect(try store.catalogue.artifact(shardA)?.removedAt != nil)
        let again = try store.forgetAbsentObjects()
        #expect(again.objects.isEmpty && again.checkpoints.isEmpty)
    }

    @Test func aQuarantinedCheckpointIsDroppedToo() throws {
        try flip(checkpoint)
        #expect(throws: (any Error).self) { try store.ensureIntact(checkpoint, full: true) }
        #expect(try store.forgetAbsentObjects().checkpoints.map(\.checkpoint.hash) == [checkpoint])
    }

    @Test func anInterruptedRunIsAbandonedWithItsReasonOnlyWhileRunning() throws {
        let running = try store.catalogue.beginRun(stage: "x", cacheKey: key, stageVersion: 1, parameters: "{}", inputs: [:])
        try store.catalogue.abandonRun(running, reason: "interrupted by SIGTERM")
        let record = try #require(try store.catalogue.run(id: running))
        #expect(record.status == .abandoned && record.error == "interrupted by SIGTERM" && record.endedAt != nil)
        let finished = try #require(try store.catalogue.latestSucceededRun(stage: "train"))
        try store.catalogue.abandonRun(finished.id, reason: "late")
        #expect(try store.catalogue.run(id: finished.id)?.status == .succeeded)
    }

    @Test func temporaryFilesOfOneProcessAreRemoved() throws {
        dir.write("tmp/\(getpid())-1.partial", "x")
        dir.write("tmp/1-1.partial", "other process")
        Store.removeTemporaryFiles(root: store.root, pid: getpid())
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("tmp")) == ["1-1.partial"])
    }

    @Test func hashPrefixesThatCannotMatchSaySo() throws {
        #expect { try store.catalogue.resolve(prefix: "abc") } throws: { "\($0)".contains("at least 4 hex digits") }
        #expect { try store.catalogue.resolve(prefix: "trian") } throws: { "\($0)".contains("64 hex digits") }
        #expect { try store.catalogue.resolve(prefix: String(repeating: "z", count: 10_000)) } throws: { "\($0)".count < 300 }
    }

    @Test func aStorePathThatIsAFileIsNamedSo() throws {
        dir.write("plain", "x")
        #expect(throws: StoreError.storeNotADirectory(path: dir.file("plain"))) { try Store(at: dir.file("plain")) }
    }
}
