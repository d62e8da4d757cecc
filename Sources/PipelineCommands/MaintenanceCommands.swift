import ArgumentParser
import CoreSupport
import Foundation
import MiniPipeline
import MiniStore

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-hash every object, and check every object the catalogue refers to; exit 5 if any is missing or corrupt.")

    @OptionGroup var options: StoreOptions
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() throws {
        try reportingErrors("minillm") {
            let store = try options.openStore()
            try store.reapAbandonedRuns(log: Log(prefix: "verify"))
            let artifacts = try store.catalogue.presentArtifacts()
            let progress = Progress("verify", total: artifacts.reduce(0) { $0 + $1.size }, unit: .bytes)
            var missing: [ArtifactHash] = [], corrupt: [ArtifactHash] = []
            for artifact in artifacts {
                switch store.check(artifact.hash, full: true) {
                case .intact: try store.catalogue.markVerified(artifact.hash, mtimeNs: try Store.stat(store.objectPath(artifact.hash)).mtimeNs)
                case .missing: missing.append(artifact.hash)
                case .corrupt: corrupt.append(artifact.hash)
                }
                progress.advance(by: artifact.size)
            }
            if !artifacts.isEmpty { progress.finish() }
            // What the catalogue still refers to (outputs, checkpoints, members, pins) but the store
            // no longer holds, e.g. an object quarantined by an earlier run.
            let present = Set(artifacts.map(\.hash))
            let references = Dictionary(grouping: try store.catalogue.liveReferences(), by: \.hash).mapValues { $0.map(\.referrer) }
            missing += references.keys.filter { !present.contains($0) }.sorted { $0.hex < $1.hex }
            let ok = artifacts.count - Set(missing).intersection(present).count - corrupt.count
            func referrers(_ hash: ArtifactHash) -> String {
                references[hash].map { "  (" + $0.joined(separator: ", ") + ")" } ?? ""
            }
            if json {
                printJSON(["checked": artifacts.count, "intact": ok, "missing": missing.map(\.hex), "corrupt": corrupt.map(\.hex),
                           "referenced_by": Dictionary(uniqueKeysWithValues: (missing + corrupt).compactMap { hash in
                               references[hash].map { (hash.hex, $0) } })])
            } else {
                print("\(ok) of \(artifacts.count) objects intact")
                for hash in missing { print("missing  \(hash.hex)\(referrers(hash))") }
                for hash in corrupt { print("corrupt  \(hash.hex)  \(store.objectPath(hash))\(referrers(hash))") }
            }
            if !missing.isEmpty || !corrupt.isEmpty { throw ExitCode(MinillmExit.verifyFailed.rawValue) }
        }
    }
}

struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove objects not reachable from each stage's current outputs, pins or checkpoints, and partial files no run can resume.")

    @OptionGroup var options: StoreOptions
    @Flag(help: "Only list what would be removed.") var dryRun = false

    func run() throws {
        try reportingErrors("minillm") {
            // Exclusive: no run may be writing objects that are not recorded yet.
            let store = try options.openStore(access: .exclusive, wait: false)
            let keep = try store.catalogue.reachableHashes()
            var removed = 0, bytes: Int64 = 0
            for artifact in try store.catalogue.presentArtifacts() where !keep.contains(artifact.hash) {
                print("\(dryRun ? "would remove" : "removed")  \(artifact.hash.hex)  \(artifact.kind)  \(artifact.size) bytes")
                if !dryRun { try store.remove(artifact.hash) }
                removed += 1
                bytes += artifact.size
            }
            for path in try strayFiles(store) + store.stalePartialFiles() {
                print("\(dryRun ? "would remove" : "removed")  \(path)  (not in the catalogue)")
                if !dryRun { chmod(path, 0o644); unlink(path) }
            }
            print("\(dryRun ? "would free" : "freed") \(bytes) bytes in \(removed) objects")
        }
    }

    /// Left-overs of killed writers: temporary files, and objects renamed into place whose
    /// catalogue row was never written.
    private func strayFiles(_ store: Store) -> [String] {
        let fm = FileManager.default
        var stray = (try? fm.contentsOfDirectory(atPath: store.root + "/tmp"))?.sorted().map { store.root + "/tmp/" + $0 } ?? []
        for fan in (try? fm.contentsOfDirectory(atPath: store.root + "/objects"))?.sorted() ?? [] {
            for name in (try? fm.contentsOfDirectory(atPath: "\(store.root)/objects/\(fan)"))?.sorted() ?? [] {
                let record = ArtifactHash(name).flatMap { try? store.catalogue.artifact($0) }
                if record == nil || record?.removedAt != nil { stray.append("\(store.root)/objects/\(fan)/\(name)") }
            }
        }
        return stray
    }
}
