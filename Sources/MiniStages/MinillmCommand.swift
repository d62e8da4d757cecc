import ArgumentParser
import MiniPipeline

/// `minillm`: the pipeline driver plus the model's own commands.
public struct MinillmCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "minillm",
        abstract: "Turn Spanish Wikipedia into a small GPT-style language model, reproducibly.",
        version: Pipeline.version,
        subcommands: DriverCommand.commonSubcommands + [ExportCommand.self, ReportCommand.self])

    public init() {}
}
