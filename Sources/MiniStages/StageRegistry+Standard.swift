import MiniPipeline
import TextStages
import Training
import VocabShardStages

extension StageRegistry {
    /// The minillm pipeline, in order.
    public static let standard = StageRegistry([ExtractStage(), CleanStage(), VocabStage(), ShardStage(), TrainStage()])
}
