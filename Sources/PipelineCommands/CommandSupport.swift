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
        Log.write("\(program): error: \(error)\n")
        throw ExitCode(MinillmExit.classify(error).rawValue)
    }
}

public func printJSON(_ object: Any) {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

func resultJSON(_ result: StageResult) -> [String: Any] {
    ["stage": result.stage, "key": result.cacheKey, "status": result.outcome.rawValue,
     "outputs": result.outputs.mapValues(\.hex), "seconds": (result.seconds * 1000).rounded() / 1000]
}
