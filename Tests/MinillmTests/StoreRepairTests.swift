import Foundation
import StoreTestSupport
import Testing
import TestSupport

/// A store damaged in any single object is repaired by one `minillm run`: every object of a
/// small store in turn is deleted, then (once rebuilt) flipped. Long: about 40 runs of the
/// tiny pipeline, each rebuilding only what the damage needs.
@Suite("Store repair through minillm", .serialized) struct StoreRepairTests {
    /// Outputs whose bytes are the same on every rebuild: not the evaluation (it holds
    /// timings), and not the training log (it holds elapsed times).
    static func stableOutputs(_ result: ProcessResult) -> [String: String] {
        result.stageOutputs(qualified: true).filter { !$0.key.hasPrefix("evaluate.") && $0.key != "train.log" }
    }

    static func objectPath(_ project: ScratchProject, _ hash: String) -> String {
        "\(project.storePath)/objects/\(hash.prefix(2))/\(hash)"
    }

    static func flip(_ path: String) throws {
        chmod(path, 0o644)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: path))
    }

    @Test func everySingleDeletedOrFlippedObjectIsRepairedByOneRun() throws {
        let project = MinillmHostileInputTests.project(trainSteps: 6)
        let first = try project.run(["run"])
        #expect(first.status == 0, "\(first.stderr)")
        let expected = Self.stableOutputs(first)
        let objects = try project.catalogue().query("SELECT hash, kind FROM artifacts WHERE removed_at IS NULL ORDER BY kind, hash")
            .compactMap { row in row["hash"]?.string.map { ($0, row["kind"]?.string ?? "") } }
        #expect(objects.count >= 15, "a store with every kind of object: \(objects.map(\.1))")
        for (hash, kind) in objects {
            for damage in ["deleted", "flipped"] {
                let path = Self.objectPath(project, hash)
                guard FileManager.default.fileExists(atPath: path) else { continue }  // replaced by a rebuild
                if damage == "deleted" { unlink(path) } else { try Self.flip(path) }
                let run = try project.run(["run"])
                #expect(run.status == 0, "\(kind) \(hash.prefix(12)) \(damage): \(run.stderr)")
                #expect(Self.stableOutputs(run) == expected, "\(kind) \(damage): \(run.stderr)")
                // What the pipeline needs is whole again; only the damaged object itself may still be
                // reported, where nothing needs it (an old checkpoint, the imported sample's copy).
                let verify = try project.run(["verify", "--json"])
                let reported = Set((verify.json?["missing"] as? [String] ?? []) + (verify.json?["corrupt"] as? [String] ?? []))
                #expect(reported.isSubset(of: [hash]), "\(kind) \(damage): verify still reports \(reported): \(verify.stdout)")
                #expect((verify.json?["referenced_by"] as? [String: Any])?.isEmpty ?? false,
                        "\(kind) \(damage): something still refers to it: \(verify.stdout)")
            }
        }
    }

    /// The first run after the model is flipped quarantines it; the catalogue still points at it
    /// until that run rebuilds it, and `verify` says so in between.
    @Test func verifyReportsReferencesToAQuarantinedObject() throws {
        let project = MinillmHostileInputTests.project(trainSteps: 6)
        let first = try project.run(["run"])
        let model = try #require(first.stageOutputs(qualified: true)["train.model"])
        try Self.flip(Self.objectPath(project, model))
        let read = try project.run(["cat", model])
        #expect(read.status == 3 && read.stderr.contains("is corrupt"), "\(read.stderr)")
        let verify = try project.run(["verify"])
        #expect(verify.status == 5)
        #expect(verify.stdout.contains("missing  \(model)  (checkpoint best of key"), "\(verify.stdout)")
        #expect(verify.stdout.contains("output train/model"), "\(verify.stdout)")
        let repaired = try project.run(["run"])
        #expect(repaired.status == 0, "\(repaired.stderr)")
        #expect(repaired.stageOutputs(qualified: true)["train.model"] == model)
        #expect(try project.run(["verify"]).status == 0)
    }
}
