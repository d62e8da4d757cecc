import ArgumentParser
import MiniPipeline
import PipelineCommands

/// `minillm`: the pipeline driver plus the model's own commands.
public struct MinillmCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "minillm",
        abstract: "Turn Spanish Wikipedia into a small GPT-style language model, reproducibly.",
        version: MinillmVersion.current,
        subcommands: DriverCommand<Minillm>.commonSubcommands + [ExportCommand.self, GenerateCommand.self, ScoreCommand.self, ReportCommand.self])

    public init() {}

    /// Usage errors exit 2, as documented (see `mainWithDocumentedExitCodes`).
    public static func main() { mainWithDocumentedExitCodes("minillm") }
}
