import ArgumentParser
import CoreSupport
import EvaluationStage
import Foundation
import MiniPipeline
import PipelineCommands

/// `minillm report`: the path of the current evaluation report, i.e. the `report` output of the
/// latest succeeded evaluate run (a read-only object file in the store, self-contained HTML).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print the path of the current evaluation report (HTML); --open shows it with xdg-open.")

    @OptionGroup var options: StoreOptions
    @Flag(help: "Also open the report with xdg-open, where it is installed.") var open = false

    func run() throws {
        try reportingErrors("minillm") {
            let store = try options.openStore()
            let stage = EvaluateStage().name
            guard let run = try store.catalogue.latestSucceededRun(stage: stage), let hash = run.outputs["report"] else {
                Log.write("minillm: error: \(options.storePath) has no succeeded \(stage) run yet; run `minillm run` first\n")
                throw ExitCode(MinillmExit.notReady.rawValue)
            }
            let path = try store.ensureIntact(hash)
            print(path)
            if open { try Self.show(path, name: "minillm-report-\(hash.short).html") }
        }
    }

    /// Hands an `.html` copy of the page to xdg-open (browsers such as Chromium go by the file's
    /// extension and would show the extensionless object as text); says so on stderr where
    /// xdg-open is missing.
    static func show(_ path: String, name: String) throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
        try? FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        guard let opener = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":")
            .map({ "\($0)/xdg-open" }).first(where: FileManager.default.isExecutableFile(atPath:)) else {
            Log.write("minillm: xdg-open is not installed; open \(copy) in a browser\n")
            return
        }
        try Process.run(URL(fileURLWithPath: opener), arguments: [copy]).waitUntilExit()
    }
}
