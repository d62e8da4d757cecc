import ArgumentParser
import CoreSupport
import Foundation
import MiniPipeline
import MiniStore

/// A pipeline's driver: runs what is stale and inspects the store.
public struct DriverCommand<Program: PipelineProgram>: ParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "minillm",
                             abstract: "Turn Spanish Wikipedia into a small GPT-style language model, reproducibly.",
                             version: MinillmVersion.current, subcommands: commonSubcommands)
    }

    /// The commands every pipeline's driver has; `minillm` adds its model-specific ones.
    public static var commonSubcommands: [ParsableCommand.Type] {
        [RunCommand<Program>.self, StatusCommand<Program>.self, VerifyCommand.self, GCCommand.self, ListCommand.self,
         ShowCommand<Program>.self, CatCommand.self, PinCommand.self, HashCommand.self]
    }

    public init() {}

    /// Usage errors exit 2, as documented (see `mainWithDocumentedExitCodes`).
    public static func main() { mainWithDocumentedExitCodes("minillm") }
}

struct RunCommand<Program: PipelineProgram>: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(
        commandName: "run", abstract: "Run every stale stage in order; fresh stages are skipped.") }

    @OptionGroup var options: StoreOptions
    @Option(help: "First stage to consider.") var from: String?
    @Option(help: "Last stage to consider.") var until: String?
    @Option(help: "Rebuild this stage even if fresh (repeatable).") var force: [String] = []
    @Flag(inversion: .prefixedNo, help: "Wait for another process building the same stage (else exit 4).")
    var wait = true
    @Option(help: "Run the stages that support it (train) as N processes under mpirun; the others run here.")
    var ranks: Int?
    @Option(help: "mpirun's hostfile for --ranks (default: every rank on this host).")
    var hosts: String?

    func validate() throws {
        if let ranks, !(1...4096).contains(ranks) { throw ValidationError("--ranks \(ranks) is outside 1…4096") }
        if hosts != nil && ranks == nil { throw ValidationError("--hosts needs --ranks") }
    }

    func run() throws {
        Interruption.install()
        try reportingErrors("minillm") {
            let registry = Program.registry
            let store = try options.openStore()
            let launcher = ranks.map { RankLauncher(ranks: $0, hostfile: hosts, options: options, wait: wait) }
            let runner = PipelineRunner(planner: try options.planner(store, registry: registry), wait: wait,
                                        launcher: launcher.map { launcher in { try launcher.launch($0, force: $1) } })
            for name in force { _ = try registry.index(of: name) }
            let results = try runner.build(try registry.slice(from: from, until: until), force: Set(force))
            printJSON(["stages": results.map(resultJSON)])
        }
    }
}

struct StatusCommand<Program: PipelineProgram>: ParsableCommand {
    /// Metrics a stage marks as headline (`headline_…`) on each stage's current run.
    func headlines(_ store: Store) throws -> [(String, [(name: String, value: Double)])] {
        var result: [(String, [(name: String, value: Double)])] = []
        for stage in Program.registry.names {
            guard let run = try store.catalogue.latestSucceededRun(stage: stage) else { continue }
            let values = try store.catalogue.latestMetrics(run: run.id, prefix: "headline_")
            if !values.isEmpty { result.append((stage, values)) }
        }
        return result
    }

    static func format(_ value: Double) -> String {
        abs(value) >= 100 || value == value.rounded() ? String(format: "%.0f", value) : String(format: "%.3f", value)
    }

    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "status", abstract: "Show each stage as fresh, stale or never-run, and why.")
    }

    @OptionGroup var options: StoreOptions
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() throws {
        try reportingErrors("minillm") {
            let store = try options.openStore()
            let plans = try options.planner(store, registry: Program.registry).planAll()
            if json {
                printJSON(["stages": plans.map { plan -> [String: Any] in
                    ["stage": plan.stage.name, "status": plan.status.label, "key": plan.cacheKey ?? NSNull(),
                     "reasons": plan.reasons, "outputs": plan.outputs.mapValues(\.hex)]
                }])
                return
            }
            var lines = ["STAGE     STATUS     KEY           WHY"]
            for plan in plans {
                let key = plan.cacheKey.map { String($0.prefix(12)) } ?? "-"
                let why = plan.reasons.first ?? ""
                lines.append(plan.stage.name.padding(toLength: 10, withPad: " ", startingAt: 0)
                             + plan.status.label.padding(toLength: 11, withPad: " ", startingAt: 0)
                             + key.padding(toLength: 14, withPad: " ", startingAt: 0) + why)
                for more in plan.reasons.dropFirst() { lines.append(String(repeating: " ", count: 35) + more) }
            }
            print(lines.joined(separator: "\n"))
            for (stage, values) in try headlines(store) {
                print("\n\(stage): " + values.map { "\($0.name.dropFirst(9)) \(Self.format($0.value))" }.joined(separator: ", "))
            }
        }
    }
}
