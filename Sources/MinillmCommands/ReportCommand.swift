import ArgumentParser
import CoreSupport
import EvaluationStage
import Foundation
import MiniStore
import PipelineCommands

/// `minillm report`: writes every evaluation's report (the `report` output of each succeeded
/// evaluate run, self-contained HTML) as `store/reports/evaluate-<run>-model-<hash>.html`, and
/// the latest as `store/reports/latest.html`, so a browser opens them by name; prints the latter.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write store/reports/latest.html and one named .html per evaluation; print latest.html's path.",
        discussion: "--open then shows latest.html with xdg-open.")

    @OptionGroup var options: StoreOptions
    @Flag(help: "Also open the report with xdg-open, where it is installed.") var open = false

    func run() throws {
        try reportingErrors("minillm") {
            let store = try options.openStore()
            let stage = EvaluateStage().name
            let runs = try store.catalogue.succeededRuns(stage: stage).filter { $0.outputs["report"] != nil }
            guard let latest = runs.first else {
                Log.write("minillm: error: \(options.storePath) has no succeeded \(stage) run yet; run `minillm run` first\n")
                throw ExitCode(MinillmExit.notReady.rawValue)
            }
            let directory = store.root + "/reports"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let latestPath = directory + "/latest.html"
            try Self.refresh(latestPath, from: try store.ensureIntact(latest.outputs["report"]!))
            for run in runs {
                let report = run.outputs["report"]!
                guard let path = try? store.ensureIntact(report) else {
                    Log.write("minillm: report \(report.short) of \(stage) run \(run.id) is no longer in the store; skipped\n")
                    continue
                }
                let model = run.inputs["model"].map { "-model-\($0.short)" } ?? ""
                try Self.refresh(directory + "/\(stage)-\(run.id)\(model).html", from: path)
            }
            print(latestPath)
            if open { try Self.show(latestPath) }
        }
    }

    /// Copies `source` to `path` unless `path` already holds the same bytes.
    static func refresh(_ path: String, from source: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: source))
        guard FileManager.default.contents(atPath: path) != data else { return }
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Hands the page to xdg-open; says so on stderr where xdg-open is missing.
    static func show(_ path: String) throws {
        guard let opener = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":")
            .map({ "\($0)/xdg-open" }).first(where: FileManager.default.isExecutableFile(atPath:)) else {
            Log.write("minillm: xdg-open is not installed; open \(path) in a browser\n")
            return
        }
        try Process.run(URL(fileURLWithPath: opener), arguments: [path]).waitUntilExit()
    }
}
