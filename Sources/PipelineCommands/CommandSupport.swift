import ArgumentParser
import CoreSupport
import Foundation
import MiniPipeline
import MiniStore

/// What a pipeline's executables are built for: its stages, in order. The generic commands
/// of this target take it as a type parameter, so no command reads mutable global state.
public protocol PipelineProgram {
    static var registry: StageRegistry { get }
}

/// A `minillm-<stage>` executable: its pipeline and the stage it runs.
public protocol StageProgram: PipelineProgram {
    static var stageName: String { get }
    /// Set when this process only follows another's run of the stage (a rank r > 0 of an
    /// `mpirun` job): the body it runs instead, given the store; it records nothing.
    static func follower() throws -> ((Store) throws -> Void)?
    /// Runs after the command succeeded (the ranks of an `mpirun` job end together here).
    static func finish() throws
}

extension StageProgram {
    public static func follower() throws -> ((Store) throws -> Void)? { nil }
    public static func finish() throws {}
}

public struct StoreOptions: ParsableArguments {
    public init() {}

    @Option(help: "Store directory (default: $MINILLM_STORE or ./store).")
    public var store: String?

    @Option(help: "Pipeline file (default: ./pipeline/pipeline.json).")
    public var pipeline: String = "pipeline/pipeline.json"

    @Option(help: "Preset from the pipeline file (default: the file's `preset`).")
    public var preset: String?

    public var storePath: String { store ?? ProcessInfo.processInfo.environment["MINILLM_STORE"] ?? "store" }

    public func openStore(access: Store.Access = .shared, wait: Bool = true) throws -> Store {
        try Store(at: storePath, access: access, wait: wait)
    }

    public func planner(_ store: Store, registry: StageRegistry) throws -> Planner {
        let file = try PipelineFile(path: pipeline, registry: registry)
        if let preset, !file.presetNames.contains(preset) {
            throw PipelineError.unknownPreset(preset, known: file.presetNames)
        }
        return Planner(store: store, pipeline: file, registry: registry, preset: preset)
    }
}

/// Runs a command body, turning any error into one clear line on stderr and a documented exit code.
public func reportingErrors(_ program: String, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        // Bounded, whatever an error quotes: one line, never megabytes.
        let line = MessageText.bounded("\(error)", limit: 4000).replacingOccurrences(of: "\n", with: " ")
        Log.write("\(program): error: \(line)\n")
        throw ExitCode(MinillmExit.classify(error).rawValue)
    }
}

extension ParsableCommand {
    /// `main()` with the README's exit codes: a command line that does not parse is a usage error,
    /// exit 2 in one line (ArgumentParser's own is 64 with the usage text); help, version and
    /// every other outcome are ArgumentParser's.
    public static func mainWithDocumentedExitCodes(_ program: String) {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            let subcommand = CommandLine.arguments.dropFirst().first.flatMap { name in
                configuration.subcommands.first { $0.configuration.commandName == name }.map { _ in " " + name }
            } ?? ""
            Log.write("\(program): error: \(MessageText.bounded(message(for: error))) (see `\(program)\(subcommand) --help`)\n")
            Foundation.exit(MinillmExit.usage.rawValue)
        }
    }
}

/// One JSON object and a newline on stdout. Non-finite numbers (a diverged metric) become null,
/// which JSON can carry.
public func printJSON(_ object: Any) {
    func finite(_ value: Any) -> Any {
        switch value {
        case let number as Double: number.isFinite ? number : NSNull()
        case let array as [Any]: array.map(finite)
        case let dictionary as [String: Any]: dictionary.mapValues(finite)
        default: value
        }
    }
    let data = (try? JSONSerialization.data(withJSONObject: finite(object), options: [.sortedKeys, .withoutEscapingSlashes]))
        ?? Data("{\"error\":\"the result could not be written as JSON\"}".utf8)
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

func resultJSON(_ result: StageResult) -> [String: Any] {
    ["stage": result.stage, "key": result.cacheKey, "status": result.outcome.rawValue,
     "outputs": result.outputs.mapValues(\.hex), "seconds": (result.seconds * 1000).rounded() / 1000]
}
