import Foundation
import MiniPipeline
import MiniStore
import StageParameters
import VocabShardStages

/// Stands in for the clean stage: its `corpus` output is a JSON Lines file imported as is.
struct CorpusFileStage: Stage {
    let name = "clean"
    let version = 1
    let summary = "test stand-in: a corpus file as the clean corpus"
    let inputs: [StageInput] = []
    let parameters: [ParameterSpec] = [.string("corpus_file", default: "", "JSON Lines corpus")]

    func externalFiles(_ parameters: Parameters) throws -> [String: String] { ["source": try parameters.string("corpus_file")] }

    func run(_ context: StageContext) throws -> [String: ArtifactHash] { ["corpus": context.inputs["source"]!] }
}

/// A scratch store and pipeline file running clean → vocab → shard through the real planner
/// and runner, in process.
final class StagePipeline {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let fixture = repositoryRoot + "/Tests/Fixtures/eswiki-articles.jsonl"
    static let registry = StageRegistry([CorpusFileStage(), VocabStage(), ShardStage()])

    let directory: String
    let store: Store

    init(stages: String = "") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("minillm-vocab-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/store", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/pipeline", withIntermediateDirectories: true)
        let json = #"{"stages": {"clean": {"corpus_file": "\#(Self.fixture)"}\#(stages)}}"#
        try json.write(toFile: directory + "/pipeline/pipeline.json", atomically: true, encoding: .utf8)
        store = try Store(at: directory + "/store")
    }

    deinit {
        _ = try? Process.run(URL(fileURLWithPath: "/bin/chmod"), arguments: ["-R", "u+w", directory]).waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs every stage in order; returns each stage's outcome and outputs.
    func run() throws -> [String: (outcome: StageResult.Outcome, outputs: [String: ArtifactHash])] {
        let pipeline = try PipelineFile(path: directory + "/pipeline/pipeline.json", registry: Self.registry)
        let planner = Planner(store: store, pipeline: pipeline, registry: Self.registry, preset: nil)
        return Dictionary(uniqueKeysWithValues: try PipelineRunner(planner: planner, quiet: true).build(Self.registry.stages).map {
            ($0.stage, ($0.outcome, $0.outputs))
        })
    }
}
