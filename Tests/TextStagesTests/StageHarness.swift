import Foundation
import MiniPipeline
import MiniStore
import TestSupport
import TextStages
import WikiTestSupport

/// A scratch repository layout (`store/`, `pipeline/pipeline.json`, `pipeline/data` linked to
/// the bundled data) running extract → clean through the real planner and runner, in process,
/// or through the stage executables.
final class StageHarness {
    static let registry = StageRegistry([ExtractStage(), CleanStage()])
    let directory = TemporaryDirectory("minillm-text")
    let store: Store
    var root: String { directory.path }
    var pipelineFile: String { directory.file("pipeline/pipeline.json") }

    /// `extract` and `clean` are the stages' parameter objects as JSON text.
    init(extract: String, clean: String = "{}") throws {
        try FileManager.default.createDirectory(atPath: directory.file("store"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory.file("pipeline"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory.file("pipeline/data"), withDestinationPath: Repo.root + "/pipeline/data")
        directory.write("pipeline/pipeline.json", #"{"stages": {"extract": \#(extract), "clean": \#(clean)}}"#)
        store = try Store(at: directory.file("store"))
    }

    /// Runs the stages in order (up to `until`), in this process.
    @discardableResult
    func run(until last: String = "clean") throws -> [String: (outcome: StageResult.Outcome, outputs: [String: ArtifactHash])] {
        let pipeline = try PipelineFile(path: pipelineFile, registry: Self.registry)
        let planner = Planner(store: store, pipeline: pipeline, registry: Self.registry, preset: nil)
        let stages = try Self.registry.slice(from: nil, until: last)
        return Dictionary(uniqueKeysWithValues: try PipelineRunner(planner: planner, quiet: true).build(stages).map {
            ($0.stage, ($0.outcome, $0.outputs))
        })
    }

    /// Starts a stage executable on this layout.
    func start(_ stage: String) throws -> ChildProcess {
        try ChildProcess(BuiltProducts.path("minillm-\(stage)"), ["--store", directory.file("store"), "--pipeline", pipelineFile],
                         cwd: root)
    }

    func lines(_ hash: ArtifactHash) throws -> [[String: Any]] {
        String(decoding: try store.data(hash), as: UTF8.self).split(separator: "\n").map {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:]
        }
    }
}
