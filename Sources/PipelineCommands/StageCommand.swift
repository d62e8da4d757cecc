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

    public func run() throws {
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
            let store = try options.openStore()
            var planner = try options.planner(store, registry: registry)
            for text in inputs {
                let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, stage.inputs.contains(where: { $0.role == parts[0] }),
                      let hash = try? store.catalogue.resolve(prefix: parts[1]) else {
                    throw PipelineError.badInputOverride(text)
                }
                planner.inputOverrides[parts[0]] = hash
            }
            let results = try PipelineRunner(planner: planner, wait: wait).build([stage], force: force ? [stage.name] : [])
            printJSON(resultJSON(results[0]))
        }
    }
}
