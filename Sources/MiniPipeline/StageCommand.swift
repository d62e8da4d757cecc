import ArgumentParser
import Foundation
import MiniStore
import StageParameters

/// `minillm-<stage>`: runs one stage alone and prints its outputs as one JSON object on stdout.
public struct StageCommand: ParsableCommand {
    nonisolated(unsafe) public static var stageName = ""

    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "minillm-\(stageName)",
                             abstract: Pipeline.registry.stage(named: stageName)?.summary ?? "",
                             version: Pipeline.version)
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
        let program = "minillm-\(Self.stageName)"
        try reportingErrors(program) {
            guard let stage = Pipeline.registry.stage(named: Self.stageName) else {
                throw PipelineError.unknownStage(Self.stageName, known: Pipeline.registry.names)
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
            var planner = try options.planner(store)
            for text in inputs {
                let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, stage.inputs.contains(where: { $0.role == parts[0] }),
                      let hash = try? store.catalogue.resolve(prefix: parts[1]) else {
                    throw PipelineError.badInputOverride(text)
                }
                planner.inputOverrides[parts[0]] = hash
            }
            let runner = try Runner(store: store, wait: wait, log: Log(prefix: stage.name))
            let plan = try planner.plan(stage, upstream: [:])
            let result = try runner.execute(plan, force: force) { try planner.plan(stage, upstream: [:]) }
            printJSON(resultJSON(result))
        }
    }
}
