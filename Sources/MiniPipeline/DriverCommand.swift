import ArgumentParser
import Foundation
import MiniStore

/// `minillm`: runs what is stale and inspects the store.
public struct DriverCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "minillm",
        abstract: "Turn Spanish Wikipedia into a small GPT-style language model, reproducibly.",
        version: Pipeline.version,
        subcommands: commonSubcommands)

    /// The commands every pipeline's driver has; `minillm` adds its model-specific ones.
    public static let commonSubcommands: [ParsableCommand.Type] = [
        RunCommand.self, StatusCommand.self, VerifyCommand.self, GCCommand.self, ListCommand.self,
        ShowCommand.self, CatCommand.self, PinCommand.self, HashCommand.self,
    ]

    public init() {}
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run every stale stage in order; fresh stages are skipped.")

    @OptionGroup var options: StoreOptions
    @Option(help: "First stage to consider.") var from: String?
    @Option(help: "Last stage to consider.") var until: String?
    @Option(help: "Rebuild this stage even if fresh (repeatable).") var force: [String] = []
    @Flag(inversion: .prefixedNo, help: "Wait for another process building the same stage (else exit 4).")
    var wait = true

    func run() throws {
        try reportingErrors("minillm") {
            let store = try options.openStore()
            let planner = try options.planner(store)
            for name in force { _ = try Pipeline.registry.index(of: name) }
            let stages = try Pipeline.registry.slice(from: from, until: until)
            let results = try planner.build(stages, wait: wait, force: Set(force)).map(resultJSON)
            printJSON(["stages": results])
        }
    }
}

struct StatusCommand: ParsableCommand {
    /// Metrics a stage marks as headline (`headline_…`) on each stage's current run.
    func headlines(_ store: Store) throws -> [(String, [(name: String, value: Double)])] {
        var result: [(String, [(name: String, value: Double)])] = []
        for stage in Pipeline.registry.names {
            guard let run = try store.catalogue.latestSucceededRun(stage: stage) else { continue }
            let rows = try store.catalogue.db.query(
                "SELECT name, value FROM latest_metrics WHERE run_id = ? AND name LIKE 'headline\\_%' ESCAPE '\\' ORDER BY name",
                [.integer(run.id)])
            if !rows.isEmpty {
                result.append((stage, rows.map { ($0["name"]?.string ?? "", $0["value"]?.double ?? .nan) }))
            }
        }
        return result
    }

    static func format(_ value: Double) -> String {
        abs(value) >= 100 || value == value.rounded() ? String(format: "%.0f", value) : String(format: "%.3f", value)
    }

    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show each stage as fresh, stale or never-run, and why.")

    @OptionGroup var options: StoreOptions
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() throws {
        try reportingErrors("minillm") {
            let store = try options.openStore()
            let plans = try options.planner(store).planAll()
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
