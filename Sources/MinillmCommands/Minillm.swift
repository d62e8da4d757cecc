import EvaluationStage
import MiniPipeline
import MiniStore
import PipelineCommands
import TextStages
import TrainingStage
import VocabShardStages

/// The minillm pipeline: its six stages, in order.
public enum Minillm: PipelineProgram {
    public static let registry = StageRegistry([ExtractStage(), CleanStage(), VocabStage(), ShardStage(), TrainStage(),
                                                EvaluateStage()])
}

/// What each `minillm-<stage>` executable runs (`StageCommand<…>.main()` in its `main.swift`).
public protocol MinillmStage: StageProgram {}

extension MinillmStage {
    public static var registry: StageRegistry { Minillm.registry }
}

public enum ExtractProgram: MinillmStage { public static let stageName = "extract" }
public enum CleanProgram: MinillmStage { public static let stageName = "clean" }
public enum VocabProgram: MinillmStage { public static let stageName = "vocab" }
public enum ShardProgram: MinillmStage { public static let stageName = "shard" }
/// `minillm-train` also runs as the rank r > 0 of an `mpirun` job (`TrainWorker`).
public enum TrainProgram: MinillmStage {
    public static let stageName = "train"
    public static func follower() throws -> ((Store) throws -> Void)? { try TrainWorker.follower() }
    public static func finish() throws { try TrainWorker.finish() }
}
public enum EvaluateProgram: MinillmStage { public static let stageName = "evaluate" }
