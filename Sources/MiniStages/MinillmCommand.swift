import ArgumentParser
import MiniPipeline

/// `minillm`: the driver's generic commands plus those that know the minillm stages.
public struct MinillmCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "minillm", abstract: DriverCommand.configuration.abstract, version: Pipeline.version,
        subcommands: DriverCommand.configuration.subcommands + [ReportCommand.self])

    public init() {}
}
