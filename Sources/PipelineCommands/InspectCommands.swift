import ArgumentParser
import Foundation
import MiniPipeline
import MiniStore

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the artifacts in the store.")

    @OptionGroup var options: StoreOptions
    @Option(help: "Only artifacts of this kind.") var kind: String?

    func run() throws {
        try reportingErrors("minillm") {
            let store = try options.openStore()
            for listed in try store.catalogue.listArtifacts(kind: kind) {
                let artifact = listed.record
                print("\(artifact.hash.hex.prefix(12))  \(String(artifact.size).leftPad(12))  "
                      + "\(artifact.kind.padding(toLength: 28, withPad: " ", startingAt: 0))  \(listed.madeBy ?? "-")")
            }
        }
    }
}

struct ShowCommand<Program: PipelineProgram>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "show",
                             abstract: "Describe a stage (its latest run) or an artifact (by hash or prefix), as JSON.")
    }

    @OptionGroup var options: StoreOptions
    @Argument(help: "A stage name, or an artifact hash or unique prefix.") var target: String

    func run() throws {
        try reportingErrors("minillm") {
            let store = try options.openStore()
            if Program.registry.stage(named: target) != nil {
                guard let run = try store.catalogue.latestRun(stage: target) else {
                    printJSON(["stage": target, "runs": 0])
                    return
                }
                var object = runJSON(run)
                object["metrics"] = Dictionary(try store.catalogue.latestMetrics(run: run.id).map { ($0.name, $0.value) },
                                               uniquingKeysWith: { a, _ in a })
                printJSON(object)
                return
            }
            guard target.allSatisfy(\.isHexDigit) else { throw PipelineError.unknownStage(target, known: Program.registry.names) }
            let hash = try store.catalogue.resolve(prefix: target)
            guard let artifact = try store.catalogue.artifact(hash) else { throw StoreError.unknownHash(target) }
            let producedBy = try store.catalogue.runsProducing(hash).map(runJSON)
            let usedBy = try store.catalogue.runsConsuming(hash).map { "\($0.stage) run \($0.id)" }
            let lineage = try store.catalogue.ancestors(of: hash).map {
                ["ancestor": $0.ancestor.hex, "via_stage": $0.viaStage, "depth": $0.depth] as [String: Any]
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
