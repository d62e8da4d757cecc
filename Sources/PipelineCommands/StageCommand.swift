import ArgumentParser
import CoreSupport
import Foundation
import MiniPipeline
import MiniStore
import StageParameters

/// `minillm-<stage>`: runs one stage alone and prints its outputs as one JSON object on stdout.
public struct StageCommand<Program: StageProgram>: ParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "minillm-\(Program.stageName)",
                             abstract: Program.registry.stage(named: Program.stageName)?.summary ?? "",
                             version: MinillmVersion.current)
    }

    @OptionGroup var options: StoreOptions
    @Option(name: .customLong("input"), help: "Use this artifact for an input role instead of the upstream stage's output (ROLE=HASH).")
    var inputs: [String] = []
    @Flag(help: "Rebuild even if fresh.") var force = false
    @Flag(inversion: .prefixedNo, help: "Wait for another process building the same key (else exit 4).")
    var wait = true
    @Flag(help: "Print the stage's name, version, inputs and parameters (name, type, default, range or allowed values, help) as JSON, and exit.")
    var describe = false
    @Flag(help: "Print the stage's parameters as a Markdown table (as in the README), and exit.") var describeMarkdown = false

    public init() {}

    /// Usage errors exit 2, as documented (see `mainWithDocumentedExitCodes`).
    public static func main() {
        let name = "minillm-\(Program.stageName)"
        mainWithDocumentedExitCodes(name)
        do {
            try Program.finish()
        } catch {
            Log.write("\(name): error: \(error)\n")
            Foundation.exit(MinillmExit.stageFailed.rawValue)
        }
    }

    public func run() throws {
        Interruption.install()
        try reportingErrors("minillm-\(Program.stageName)") {
            let registry = Program.registry
            guard let stage = registry.stage(named: Program.stageName) else {
                throw PipelineError.unknownStage(Program.stageName, known: registry.names)
            }
            if describe {
                printJSON(["stage": stage.name, "version": stage.version, "summary": stage.summary,
                           "inputs": stage.inputs.map { ["role": $0.role, "stage": $0.stage, "output": $0.output] },
                           "parameters": stage.parameters.map(\.describedJSON)])
                return
            }
            if describeMarkdown {
                print(ParameterSpec.markdownTable(stage.parameters), terminator: "")
                return
            }
            if let follow = try Program.follower() {
                try follow(try options.openStore())
                return
            }
            let store = try options.openStore()
            var planner = try options.planner(store, registry: registry)
            for text in inputs {
                let (role, hash) = try Self.inputOverride(text, of: stage, store: store)
                planner.inputOverrides[role] = hash
            }
            let results = try PipelineRunner(planner: planner, wait: wait).build([stage], force: force ? [stage.name] : [])
            printJSON(resultJSON(results[0]))
        }
    }

    /// `ROLE=HASH`: a role of the stage and an artifact that the role's producer made as that
    /// output (a corpus given as `shards` is refused here, not deep inside the stage).
    static func inputOverride(_ text: String, of stage: any Stage, store: Store) throws -> (String, ArtifactHash) {
        let roles = stage.inputs.map(\.role).joined(separator: ", ")
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, let input = stage.inputs.first(where: { $0.role == parts[0] }) else {
            throw PipelineError.badInputOverride(text, reason: stage.inputs.isEmpty
                ? "stage \(stage.name) has no inputs" : "expected ROLE=HASH with ROLE one of \(roles)")
        }
        let hash = try store.catalogue.resolve(prefix: parts[1])
        let producers = try store.catalogue.runsProducing(hash)
        guard producers.contains(where: { $0.stage == input.stage && $0.outputs[input.output] == hash }) else {
            let kind = try store.catalogue.artifact(hash)?.kind ?? "unknown"
            let madeBy = producers.first.flatMap { run in
                run.outputs.first { $0.value == hash }.map { "output \($0.key) of stage \(run.stage)" }
            } ?? "not a stage's output"
            throw PipelineError.badInputOverride(text, reason: "\(hash.short) is a \(kind) artifact (\(madeBy)); "
                + "role \(input.role) takes output \(input.output) of stage \(input.stage)")
        }
        return (input.role, hash)
    }
}
