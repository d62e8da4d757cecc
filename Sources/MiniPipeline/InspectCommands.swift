import ArgumentParser
import Foundation
import MiniStore

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the artifacts in the store.")

    @OptionGroup var options: StoreOptions
    @Option(help: "Only artifacts of this kind.") var kind: String?

    func run() throws {
        try reportingErrors("minillm") {
            let store = try options.openStore()
            let rows = try store.catalogue.db.query("""
                SELECT a.hash, a.kind, a.size, a.created_at,
                       (SELECT r.stage || '/' || o.role FROM run_outputs o JOIN runs r ON r.id = o.run_id
                        WHERE o.hash = a.hash ORDER BY r.id DESC LIMIT 1) AS made_by
                FROM artifacts a WHERE a.removed_at IS NULL AND (?1 IS NULL OR a.kind = ?1)
                ORDER BY a.created_at, a.hash
                """, [kind.map(SQLValue.text) ?? .null])
            for row in rows {
                let hash = row["hash"]?.string ?? ""
                print("\(hash.prefix(12))  \(String(row["size"]?.int ?? 0).leftPad(12))  "
                      + "\((row["kind"]?.string ?? "").padding(toLength: 28, withPad: " ", startingAt: 0))  "
                      + "\(row["made_by"]?.string ?? "-")")
            }
        }
    }
}

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Describe a stage (its latest run) or an artifact (by hash or prefix), as JSON.")

    @OptionGroup var options: StoreOptions
    @Argument(help: "A stage name, or an artifact hash or unique prefix.") var target: String

    func run() throws {
        try reportingErrors("minillm") {
            let store = try options.openStore()
            if Pipeline.registry.stage(named: target) != nil {
                let runs = try store.catalogue.runs(where: "stage = ?", [.text(target)], limit: 1)
                guard let run = runs.first else {
                    printJSON(["stage": target, "runs": 0])
                    return
                }
                var object = runJSON(run)
                object["metrics"] = Dictionary(try store.catalogue.db.query(
                    "SELECT name, value FROM latest_metrics WHERE run_id = ?", [.integer(run.id)]).map {
                        ($0["name"]?.string ?? "", $0["value"]?.double ?? .nan)
                    }, uniquingKeysWith: { a, _ in a })
                printJSON(object)
                return
            }
            let hash = try store.catalogue.resolve(prefix: target)
            guard let artifact = try store.catalogue.artifact(hash) else { throw StoreError.unknownHash(target) }
            let producedBy = try store.catalogue.runs(
                where: "id IN (SELECT run_id FROM run_outputs WHERE hash = ?)", [.text(hash.hex)]).map(runJSON)
            let usedBy = try store.catalogue.runs(
                where: "id IN (SELECT run_id FROM run_inputs WHERE hash = ?)", [.text(hash.hex)]).map { "\($0.stage) run \($0.id)" }
            let lineage = try store.catalogue.db.query(
                "SELECT ancestor, via_stage, depth FROM lineage WHERE artifact = ? ORDER BY depth, via_stage", [.text(hash.hex)]).map {
                    ["ancestor": $0["ancestor"]?.string ?? "", "via_stage": $0["via_stage"]?.string ?? "",
                     "depth": $0["depth"]?.int ?? 0] as [String: Any]
                }
            printJSON(["hash": hash.hex, "kind": artifact.kind, "media_type": artifact.mediaType, "size": artifact.size,
                       "created_at": artifact.createdAt, "verified_at": artifact.verifiedAt ?? NSNull(),
                       "removed_at": artifact.removedAt ?? NSNull(), "path": store.objectPath(hash),
                       "members": try store.catalogue.members(of: hash).map { ["role": $0.role, "hash": $0.hash.hex] },
                       "produced_by": producedBy, "used_by": usedBy, "lineage": lineage])
        }
    }

    private func runJSON(_ run: RunRecord) -> [String: Any] {
        ["run": run.id, "stage": run.stage, "status": run.status.rawValue, "key": run.cacheKey,
         "stage_version": run.stageVersion,
         "parameters": (try? JSONSerialization.jsonObject(with: Data(run.parameters.utf8))) ?? run.parameters,
         "started_at": run.startedAt, "ended_at": run.endedAt ?? NSNull(), "duration_s": run.durationSeconds ?? NSNull(),
         "error": run.error ?? NSNull(), "host": run.host, "pid": run.pid,
         "inputs": run.inputs.mapValues(\.hex), "outputs": run.outputs.mapValues(\.hex)]
    }
}

struct CatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cat", abstract: "Write an artifact's verified bytes to stdout.")

    @OptionGroup var options: StoreOptions
    @Argument(help: "An artifact hash or unique prefix.") var hash: String

    func run() throws {
        try reportingErrors("minillm") {
            let store = try options.openStore()
            let resolved = try store.catalogue.resolve(prefix: hash)
            let path = try store.ensureIntact(resolved, full: true)
            guard let input = FileHandle(forReadingAtPath: path) else { throw StoreError.objectMissing(resolved) }
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                FileHandle.standardOutput.write(chunk)
            }
        }
    }
}

struct PinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pin", abstract: "Keep an artifact through `gc`.")

    @OptionGroup var options: StoreOptions
    @Argument(help: "An artifact hash or unique prefix.") var hash: String
    @Option(help: "Why it is pinned.") var note = ""
    @Flag(help: "Remove the pin instead.") var remove = false

    func run() throws {
        try reportingErrors("minillm") {
            let store = try options.openStore()
            let resolved = try store.catalogue.resolve(prefix: hash)
            if remove { try store.catalogue.unpin(resolved) } else { try store.catalogue.pin(resolved, note: note) }
            print("\(remove ? "unpinned" : "pinned") \(resolved.hex)")
        }
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
