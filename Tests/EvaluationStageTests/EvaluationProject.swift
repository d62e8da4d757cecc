import CorpusTestSupport
import DataShards
import EvaluationStage
import Foundation
import MiniPipeline
import MiniStore
import StageParameters
import TestSupport
import Training
import TrainingStage

/// Stands in for vocab and shard: writes the tiny corpus's tokenizer and shards.
struct TinyShardStage: Stage {
    let name = "shard"
    let version = 1
    let summary = "test stand-in: shards of the tiny corpus"
    let inputs: [StageInput] = []
    let parameters: [ParameterSpec] = []

    func run(_ context: StageContext) throws -> [String: ArtifactHash] {
        ["shards": try TinyCorpus.writeShards(into: context.store)]
    }
}

/// A scratch store and pipeline file running shard (stand-in) → train → evaluate through the
/// real planner and runner, in process, with a model small enough for a debug build.
final class EvaluationProject {
    static let registry = StageRegistry([TinyShardStage(), TrainStage(), EvaluateStage()])
    static let train = #""train": {"width": 32, "layers": 1, "heads": 2, "context": 16, "batch_size": 4, "dropout": 0, "#
        + #""label_smoothing": 0, "lr": 0.01, "warmup_steps": 5, "max_steps": 20, "eval_every": 10, "eval_batches": 2, "#
        + #""checkpoint_every": 20, "patience": 0}"#
    static let evaluate = #""batch_size": 4, "max_tokens": 0, "bleu_articles": 4, "bleu_prompt_words": 6, "#
        + #""bleu_reference_words": 6, "max_new_tokens": 8"#

    let dir = TemporaryDirectory("minillm-evaluate")
    let store: Store
    private(set) var pipelineFile = ""

    init(evaluate extra: String = "") throws {
        try FileManager.default.createDirectory(atPath: dir.file("store"), withIntermediateDirectories: true)
        store = try Store(at: dir.file("store"))
        try setEvaluate(extra)
    }

    /// Rewrites the pipeline file with these evaluate parameters added to the defaults above.
    func setEvaluate(_ extra: String) throws {
        let evaluate = Self.evaluate + (extra.isEmpty ? "" : ", " + extra)
        dir.write("pipeline/pipeline.json", #"{"stages": {\#(Self.train), "evaluate": {\#(evaluate)}}}"#)
        pipelineFile = dir.file("pipeline/pipeline.json")
    }

    func planner(inputs: [String: ArtifactHash] = [:]) throws -> Planner {
        var planner = Planner(store: store, pipeline: try PipelineFile(path: pipelineFile, registry: Self.registry),
                              registry: Self.registry, preset: nil)
        planner.inputOverrides = inputs
        return planner
    }

    /// Runs every stage in order (`force` rebuilds those named); returns each stage's result.
    @discardableResult
    func run(force: Set<String> = []) throws -> [String: StageResult] {
        let results = try PipelineRunner(planner: try planner(), quiet: true).build(Self.registry.stages, force: force)
        return Dictionary(uniqueKeysWithValues: results.map { ($0.stage, $0) })
    }

    /// Runs only the evaluate stage on these inputs.
    func evaluate(_ inputs: [String: ArtifactHash]) throws -> StageResult {
        let stage = Self.registry.stage(named: "evaluate")!
        return try PipelineRunner(planner: try planner(inputs: inputs), quiet: true).build([stage])[0]
    }
}
