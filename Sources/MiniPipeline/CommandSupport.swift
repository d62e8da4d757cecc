import ArgumentParser
import Foundation
import MiniStore

/// The stages the running executable knows; set once by its `main` before parsing.
public enum Pipeline {
    nonisolated(unsafe) public static var registry = StageRegistry([])
    public static let version = "0.1.0"
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

    public func planner(_ store: Store) throws -> Planner {
        let file = try PipelineFile(path: pipeline, registry: Pipeline.registry)
        if let preset, !file.presetNames.contains(preset) {
            throw PipelineError.unknownPreset(preset, known: file.presetNames)
        }
        return Planner(store: store, pipeline: file, registry: Pipeline.registry, preset: preset)
    }
}

/// Runs a command body, turning any error into one clear line on stderr and a documented exit code.
public func reportingErrors(_ program: String, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        Log.write("\(program): error: \(error)\n")
        throw ExitCode(MinillmExit.classify(error).rawValue)
    }
}

public func printJSON(_ object: Any) {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

func resultJSON(_ result: Runner.Result) -> [String: Any] {
    ["stage": result.stage, "key": result.cacheKey, "status": result.outcome.rawValue,
     "outputs": result.outputs.mapValues(\.hex), "seconds": (result.seconds * 1000).rounded() / 1000]
}
