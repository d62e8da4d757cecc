import Foundation
import MiniPipeline
import MiniStore
import StoreTestSupport
import TestSupport

/// A scratch project whose stages run in this process through the real planner and runner (or,
/// with `startStage`, through their own executables on the same layout).
public final class StageProject: ScratchProject {
    public let registry: StageRegistry
    public let store: Store

    public init(_ label: String, registry: StageRegistry, pipeline: String, linkData: Bool = false) throws {
        self.registry = registry
        let dir = TemporaryDirectory(label)
        store = try dir.makeStore()
        super.init(dir, pipeline: pipeline, executable: "minillm", environment: [:], linkData: linkData)
    }

    /// A planner on the pipeline file as it is now; `inputs` override inputs by role.
    public func planner(inputs: [String: ArtifactHash] = [:]) throws -> Planner {
        var planner = Planner(store: store, pipeline: try PipelineFile(path: pipelineFile, registry: registry),
                              registry: registry, preset: nil)
        planner.inputOverrides = inputs
        return planner
    }

    /// Builds the stages in order up to `last` (`force` rebuilds those named); stage name → result.
    @discardableResult
    public func build(until last: String? = nil, force: Set<String> = []) throws -> [String: StageResult] {
        let results = try PipelineRunner(planner: try planner(), quiet: true).build(try registry.slice(from: nil, until: last),
                                                                                      force: force)
        return Dictionary(uniqueKeysWithValues: results.map { ($0.stage, $0) })
    }

    /// Builds only `stage`, on these inputs.
    public func build(_ stage: String, inputs: [String: ArtifactHash]) throws -> StageResult {
        try PipelineRunner(planner: try planner(inputs: inputs), quiet: true).build([registry.stage(named: stage)!])[0]
    }

    /// Starts the stage's executable `minillm-<stage>` on this store and pipeline file.
    public func startStage(_ stage: String, environment: [String: String] = [:]) throws -> ChildProcess {
        try start(["--store", storePath, "--pipeline", pipelineFile], executable: "minillm-\(stage)", environment: environment)
    }
}
